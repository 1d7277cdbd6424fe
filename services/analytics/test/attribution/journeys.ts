import type { Attribution, Journey, Touch } from '../../src/attribution/models';

export const DAY = 86_400_000;
/** The conversion instant every hand-made journey is measured from. */
export const T = Date.UTC(2026, 2, 1);

/** A touch `days` before T (negative: after it). */
export function touch(channel: string, days: number): Touch {
  return { channel, at: T - days * DAY };
}

export function converted(id: string, touches: Touch[], value?: number): Journey {
  return { id, touches, converted: true, conversion_at: T, value };
}

export function lost(id: string, touches: Touch[]): Journey {
  return { id, touches, converted: false };
}

/** Credited conversions by channel. */
export function creditOf(result: Attribution): Record<string, number> {
  return Object.fromEntries(result.channels.map((c) => [c.channel, c.conversions]));
}

export function valueOf(result: Attribution): Record<string, number> {
  return Object.fromEntries(result.channels.map((c) => [c.channel, c.value]));
}

/** Each expected number to 1e-12, and no channel beyond them. */
export function expectCredit(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [channel, credit] of Object.entries(expected)) {
    expect(Math.abs(actual[channel] - credit)).toBeLessThan(1e-12);
  }
}

export function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

/** A small seeded PRNG (mulberry32), uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
