import { parseDurations } from './durations';

describe('parseDurations', () => {
  it('reads the default retry schedule', () => {
    expect(parseDurations('1m,5m,15m,1h,4h')).toEqual([
      60_000, 300_000, 900_000, 3_600_000, 14_400_000,
    ]);
  });

  it('reads seconds, milliseconds and fractions, and an empty schedule', () => {
    expect(parseDurations('500ms, 1.5s')).toEqual([500, 1_500]);
    expect(parseDurations('')).toEqual([]);
  });

  it('names the part it cannot read', () => {
    expect(() => parseDurations('1m,5 minutes')).toThrow('"5 minutes" is not a duration');
  });
});
