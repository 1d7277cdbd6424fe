import { IncomingEventSchema, RECORD_TYPES, validate } from '@refinery/contracts';
import { generate, loadSchema, type EventPublisher, type GeneratedEvent } from '../src';

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
});
