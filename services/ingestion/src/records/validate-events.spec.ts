import { validateEvent, validateEvents } from './validate-events';

const text = (data: string) =>
  `{"type":"exception","source":"shop","external_id":"e-1","occurred_at":"2026-11-01T10:00:00Z","data":${data}}`;

describe('validateEvent', () => {
  it('keeps the data as sent, __proto__ keys included, as own properties', () => {
    const raw = JSON.parse(
      text('{"order_number":"A-1","description":"late","__proto__":{"polluted":1},"x":[1]}'),
    );
    const result = validateEvent(raw, '');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.event.data).toBe(raw.data);
    expect(Object.hasOwn(result.event.data, '__proto__')).toBe(true);
    expect(JSON.stringify(result.event.data)).toContain('"__proto__":{"polluted":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names hostile input by its path in the request', () => {
    const nul = JSON.parse(text('{"order_number":"A-1","description":"a\\u0000"}'));
    expect(validateEvents([{}, nul], (i) => `events[${i}]`)[1]).toEqual({
      index: 1,
      ok: false,
      errors: [{ path: 'events[1].data.description', message: expect.stringMatching(/NUL/) }],
    });
  });
});
