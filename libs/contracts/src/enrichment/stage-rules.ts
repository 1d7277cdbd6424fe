import type { StageName, StageOutput, StageStatus } from './enriched-record';

/** A stage in one of these is done with the record: its outcome is published, no retry follows. */
export const FINAL_STATUSES = ['COMPLETED', 'SKIPPED', 'FAILED'] as const;
export const isFinal = (status: StageStatus): boolean =>
  (FINAL_STATUSES as readonly StageStatus[]).includes(status);

/**
 * The delays before each retry of a stage attempt (ENRICHMENT_RETRY_SCHEDULE). Its length is
 * the retry limit: the stages give up after it, and the quality monitor counts more as a defect.
 */
export const DEFAULT_RETRY_SCHEDULE = '1m,5m,15m,1h,4h';

/** Below this classification confidence a record is retried, then sent for human review. */
export const DEFAULT_MIN_CONFIDENCE = 0.7;

/** The stage held to the minimum confidence; resolution skips a record it is unsure of. */
export const GATED_STAGE = 'classification' satisfies StageName;

const CONFIDENCE: { [S in StageName]: (output: StageOutput<S>) => number } = {
  'order-analysis': (output) => Math.max(...output.problems.map((p) => p.confidence)),
  classification: (output) => output.ai_confidence,
  resolution: (output) => output.confidence,
};

/** The one figure that says how sure a stage was of its output; null without one. */
export function confidenceOf<S extends StageName>(
  stage: S,
  output: StageOutput<S> | null | undefined,
): number | null {
  return output === null || output === undefined ? null : CONFIDENCE[stage](output);
}

/** Why an answer is too unsure to stand without a person, or undefined when it may. */
export function unsureReason(
  stage: StageName,
  confidence: number | null,
  minConfidence: number,
): string | undefined {
  if (stage !== GATED_STAGE || confidence === null || confidence >= minConfidence) return undefined;
  return `ai_confidence ${confidence} is below ${minConfidence}`;
}
