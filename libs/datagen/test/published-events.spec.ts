import { IncomingEventSchema, RECORD_TYPES, validate } from '@refinery/contracts';
import { generate, loadSchema, type EventPublisher, type GeneratedEvent } from '../src';
import { segmentCallOf } from '../src/publish/event-template';

/** Keeps every event a run would send, and sends none. */
class Captured implements EventPublisher {
  readonly events: GeneratedEvent[] = [];
  publish(event: GeneratedEvent): void {
    this.events.push(event);
  }
  pause(): undefined {
    return undefined;
  }
  async close() {
    const none = { sent: 0, accepted: 0, rejected: 0, duplicates: 0, skipped: 0 };
    return { ...none, target: 'memory', by_type: {}, seconds: 0 };
  }
}

describe("the events of the ecomm schema's publish templates", () => {
  it('are valid for ingestion, transcripts of calls about orders among them, without their planted sentiment', async () => {
    const captured = new Captured();
    const { summary } = await generate({
      schema: loadSchema('ecomm'),
      seed: 7,
      rows: 5000,
      publisher: captured,
    });
    const byType = new Map<string, GeneratedEvent[]>();
    for (const event of captured.events)
      byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
    expect([...byType.keys()].sort()).toEqual(['exception', 'order', 'track', 'transcript']);
    for (const [type, events] of byType) {
      if (!(type in RECORD_TYPES)) continue;
      for (const event of events) {
        const result = validate(IncomingEventSchema, event);
        if (!result.ok)
          throw new Error(`${JSON.stringify(event)}: ${JSON.stringify(result.errors)}`);
      }
    }

    const calls = byType.get('transcript') ?? [];
    expect(calls).toHaveLength(summary.nodes.calls);
    // About 15% of orders have a call about them.
    expect(calls.length / summary.nodes.orders).toBeGreaterThan(0.1);
    expect(calls.length / summary.nodes.orders).toBeLessThan(0.2);
    const orders = new Set(byType.get('order')?.map((o) => o.data.order_number));
    for (const { data } of calls) {
      expect(orders).toContain(data.order_number);
      expect(data.text).toContain(data.order_number);
      expect(data).not.toHaveProperty('sentiment');
      expect(Date.parse(data.ended_at as string)).toBeGreaterThan(
        Date.parse(data.started_at as string),
      );
    }
    expect(new Set(calls.map((c) => c.data.channel))).toEqual(
      new Set(['phone', 'chat', 'email', 'social']),
    );
  });

  it('are track calls for every session step, touch and exposure, each with an id of its own', async () => {
    const captured = new Captured();
    const { summary } = await generate({
      schema: loadSchema('ecomm'),
      seed: 7,
      rows: 5000,
      publisher: captured,
    });
    const { sessions, touchpoints, exposures } = summary.nodes;
    const tracks = captured.events.filter((e) => e.type === 'track');
    expect(tracks).toHaveLength(sessions + touchpoints + exposures);
    // Records are kept by (tenant, source, external_id) and calls by (tenant, messageId): an id
    // two rows share would make the second a duplicate of the first.
    const ids = captured.events.map((e) => e.external_id);
    expect(new Set(ids).size).toBe(ids.length);

    const segment = tracks.map(segmentCallOf);
    for (const [i, call] of segment.entries()) {
      expect(call).toMatchObject({
        type: 'track',
        messageId: tracks[i].external_id,
        timestamp: tracks[i].occurred_at,
        userId: expect.stringMatching(/^C\d{7}$/),
        event: expect.any(String),
      });
      expect(new Date(call.timestamp as string).toISOString()).toBe(call.timestamp);
    }
    const byPrefix = (prefix: string) =>
      segment.filter((c) => String(c.messageId).startsWith(prefix));
    expect(byPrefix('EVT-')).toHaveLength(sessions);
    expect(byPrefix('TCH-')).toHaveLength(touchpoints);
    expect(new Set(byPrefix('TCH-').map((c) => c.event))).toEqual(new Set(['touch', 'conversion']));
    const viewed = byPrefix('EXP-');
    expect(viewed).toHaveLength(exposures);
    expect(viewed.every((c) => c.event === 'Experiment Viewed')).toBe(true);
  });

  it('become Segment calls whose kind, messageId and timestamp come from the envelope', () => {
    const event: GeneratedEvent = {
      type: 'identify',
      source: 'refinery-datagen',
      external_id: 'U-1',
      occurred_at: '2025-03-01T10:00:00.000Z',
      data: {
        type: 'track',
        messageId: 'other',
        timestamp: '2020-01-01T00:00:00.000Z',
        anonymousId: 'a-1',
        traits: { plan: 'pro' },
        context: { campaign: { source: 'ads' } },
      },
    };
    expect(segmentCallOf(event)).toEqual({
      type: 'identify',
      messageId: 'U-1',
      timestamp: '2025-03-01T10:00:00.000Z',
      anonymousId: 'a-1',
      traits: { plan: 'pro' },
      context: { campaign: { source: 'ads' } },
    });
  });
});
