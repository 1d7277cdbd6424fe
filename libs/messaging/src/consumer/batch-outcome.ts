import type { InboundMessage } from './inbound-message';

export interface FailedMessage {
  message: InboundMessage;
  error: unknown;
}

const BATCH_OUTCOME = Symbol('refinery.batchOutcome');

/**
 * What a batch handler returns when only some of its messages failed: those follow the
 * retry schedule (and, after the last attempt, the dead-letter queue); the others are acked.
 * Throwing instead fails the whole batch.
 */
export interface BatchOutcome {
  readonly [BATCH_OUTCOME]: true;
  readonly failed: readonly FailedMessage[];
}

export const batchOutcome = (failed: readonly FailedMessage[]): BatchOutcome => ({
  [BATCH_OUTCOME]: true,
  failed,
});

export const isBatchOutcome = (value: unknown): value is BatchOutcome =>
  typeof value === 'object' && value !== null && BATCH_OUTCOME in value;
