import { BehaviorEventSchema } from '@refinery/contracts';
import { behaviorEventOf, canonicalJson, derivedMessageId } from './behavior-event-of';

const RECEIVED = '2026-11-20T09:30:00.000Z';
const track = (call: Record<string, unknown>, path = '') =>
  behaviorEventOf('tenant-1', { kind: 'track', raw: call, path }, RECEIVED);

describe('behaviorEventOf', () => {
  it('makes a track call the event of the contract, UTC timestamp and UTM values included', () => {
    const result = track({
      type: 'track',
      userId: 'u-1',
      anonymousId: null,
      event: 'Order Completed',
      properties: { revenue: 25 },
      traits: { ignored: true },
      messageId: 'ajs-1',
      timestamp: '2026-11-20T10:30:00.123+01:00',
      context: { campaign: { source: 'newsletter', name: 'winter' }, library: { name: 'x' } },
      integrations: { All: true },
      sentAt: '2026-11-20T09:30:01Z',
    });
    expect(result).toEqual({
      ok: true,
      event: {
        kind: 'track',
        message_id: 'ajs-1',
        user_id: 'u-1',
        anonymous_id: null,
        event: 'Order Completed',
        properties: { revenue: 25 },
        traits: {},
        timestamp: '2026-11-20T09:30:00.123Z',
        received_at: RECEIVED,
        campaign: { source: 'newsletter', medium: null, name: 'winter', term: null, content: null },
      },
    });
    if (result.ok) expect(BehaviorEventSchema.parse(result.event)).toEqual(result.event);
  });

  it("takes the batch's campaign for a call without one, and none when no UTM value is sent", () => {
    const batch = { source: 'ads' };
    const own = behaviorEventOf(
      't',
      { kind: 'identify', raw: { userId: 'u', context: { campaign: { term: 'x' } } }, path: '' },
      RECEIVED,
      batch,
    );
    const inherited = behaviorEventOf(
      't',
      { kind: 'identify', raw: { userId: 'u', traits: { plan: 'pro' } }, path: '' },
      RECEIVED,
      batch,
    );
    const empty = track({ userId: 'u', event: 'e', context: { campaign: {} } });
    expect(own.ok && own.event.campaign).toMatchObject({ source: null, term: 'x' });
    expect(inherited.ok && inherited.event).toMatchObject({
      campaign: { source: 'ads', term: null },
      traits: { plan: 'pro' },
      properties: {},
      event: null,
      timestamp: RECEIVED,
    });
    expect(empty.ok && empty.event.campaign).toBeNull();
  });

  it('names the missing ids and event by their path in the request', () => {
    expect(track({ properties: {} }, 'batch[3]')).toEqual({
      ok: false,
      errors: [
        { path: 'batch[3].event', message: expect.any(String) },
        { path: 'batch[3].userId', message: 'a userId or an anonymousId is required' },
      ],
    });
    const bad = track({ userId: null, anonymousId: 'a', event: 'e', messageId: 'a\nb' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['messageId']);
  });

  it('keeps __proto__ keys of properties as sent', () => {
    const raw = JSON.parse('{"userId":"u","event":"e","properties":{"__proto__":{"x":1}}}');
    const result = track(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(JSON.stringify(result.event.properties)).toBe('{"__proto__":{"x":1}}');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('derivedMessageId', () => {
  const call = { userId: 'u', event: 'e', properties: { b: 1, a: [1, { d: 2, c: 3 }] } };

  it('is the same for a resend, whatever its key order, sentAt or type field', () => {
    const id = derivedMessageId('t1', 'track', call);
    expect(id).toMatch(/^derived-[0-9a-f-]{36}$/);
    const resent = {
      type: 'track',
      sentAt: '2026-11-20T09:31:00Z',
      properties: { a: [1, { c: 3, d: 2 }], b: 1 },
      event: 'e',
      userId: 'u',
    };
    expect(derivedMessageId('t1', 'track', resent)).toBe(id);
  });

  it('differs for another tenant, kind or content', () => {
    const id = derivedMessageId('t1', 'track', call);
    expect(derivedMessageId('t2', 'track', call)).not.toBe(id);
    expect(derivedMessageId('t1', 'identify', call)).not.toBe(id);
    expect(derivedMessageId('t1', 'track', { ...call, timestamp: RECEIVED })).not.toBe(id);
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: [true, null, 'x'], a: { d: 1.5, c: {} } })).toBe(
      '{"a":{"c":{},"d":1.5},"b":[true,null,"x"]}',
    );
  });
});
