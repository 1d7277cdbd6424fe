export type DeadLetterReason =
  'retries_exhausted' | 'non_retryable' | 'schema_violation' | 'max_deliveries' | 'tenant_mismatch';

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

/** The delivery after `deliveryCount` (1-based) is the last one the schedule allows. */
export const isLastAttempt = (retry: readonly number[], deliveryCount: number): boolean =>
  deliveryCount >= attemptsOf(retry);

/**
 * What to do with a message whose handler failed on delivery `deliveryCount` (1-based).
 * `jitter` (a share, e.g. 0.2) spreads each delay by up to that much either way, so that a
 * burst of failures does not come back as one burst.
 */
export function outcomeOfFailure(
  retry: readonly number[],
  deliveryCount: number,
  nonRetryable: boolean,
  jitter = 0,
  random: () => number = Math.random,
): FailureOutcome {
  if (nonRetryable) return { action: 'dead-letter', reason: 'non_retryable' };
  if (isLastAttempt(retry, deliveryCount))
    return { action: 'dead-letter', reason: 'retries_exhausted' };
  const delayMs = retry[Math.max(deliveryCount, 1) - 1];
  if (jitter === 0) return { action: 'retry', delayMs };
  return { action: 'retry', delayMs: Math.round(delayMs * (1 + jitter * (2 * random() - 1))) };
}
