export type DeadLetterReason =
  'retries_exhausted' | 'non_retryable' | 'schema_violation' | 'max_deliveries';

export type FailureOutcome =
  { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: DeadLetterReason };

/** A schedule of n delays allows n + 1 attempts. */
export const attemptsOf = (retry: readonly number[]): number => retry.length + 1;

/**
 * A delivery beyond the last attempt: the previous one crashed or timed out before it could
 * settle. Consumers are created with unlimited deliveries so that this case reaches us.
 */
export const exceedsAttempts = (retry: readonly number[], deliveryCount: number): boolean =>
  deliveryCount > attemptsOf(retry);

/** What to do with a message whose handler failed on delivery `deliveryCount` (1-based). */
export function outcomeOfFailure(
  retry: readonly number[],
  deliveryCount: number,
  nonRetryable: boolean,
): FailureOutcome {
  if (nonRetryable) return { action: 'dead-letter', reason: 'non_retryable' };
  if (deliveryCount >= attemptsOf(retry))
    return { action: 'dead-letter', reason: 'retries_exhausted' };
  return { action: 'retry', delayMs: retry[Math.max(deliveryCount, 1) - 1] };
}
