import { attemptsOf, exceedsAttempts, outcomeOfFailure } from './retry-schedule';

const schedule = [1_000, 5_000, 30_000];

describe('retry schedule', () => {
  it('waits the delay scheduled for each delivery before the next attempt', () => {
    expect(outcomeOfFailure(schedule, 1, false)).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(outcomeOfFailure(schedule, 2, false)).toEqual({ action: 'retry', delayMs: 5_000 });
    expect(outcomeOfFailure(schedule, 3, false)).toEqual({ action: 'retry', delayMs: 30_000 });
  });

  it('gives up on the last attempt', () => {
    expect(attemptsOf(schedule)).toBe(4);
    expect(outcomeOfFailure(schedule, 4, false)).toEqual({
      action: 'dead-letter',
      reason: 'retries_exhausted',
    });
  });

  it('gives up at once on an error retrying cannot fix', () => {
    expect(outcomeOfFailure(schedule, 1, true)).toEqual({
      action: 'dead-letter',
      reason: 'non_retryable',
    });
  });

  it('with no delays there is one attempt only', () => {
    expect(outcomeOfFailure([], 1, false)).toEqual({
      action: 'dead-letter',
      reason: 'retries_exhausted',
    });
  });

  it('spots a delivery past the last attempt (a crash on the last one)', () => {
    expect(exceedsAttempts(schedule, 4)).toBe(false);
    expect(exceedsAttempts(schedule, 5)).toBe(true);
  });

  it('spreads each delay by the jitter share either way', () => {
    expect(outcomeOfFailure(schedule, 2, false, 0.2, () => 0)).toEqual({
      action: 'retry',
      delayMs: 4_000,
    });
    expect(outcomeOfFailure(schedule, 2, false, 0.2, () => 0.999_999)).toEqual({
      action: 'retry',
      delayMs: 6_000,
    });
  });
});
