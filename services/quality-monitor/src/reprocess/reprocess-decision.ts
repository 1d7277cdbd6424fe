import {
  eventOf,
  STAGES,
  unsureReason,
  type EnrichmentInput,
  type StageName,
  type StageReports,
} from '@refinery/contracts';
import type { PublishItem } from '@refinery/messaging';
import type { Candidate } from './reprocess.repository';

/** Why a record is driven again. */
export type ReprocessReason = 'failed' | 'stuck' | 'unsure';
export const REASONS: ReprocessReason[] = ['failed', 'stuck', 'unsure'];

export interface Timing {
  now: number;
  stuckAfterMs: number;
  unsureAfterMs: number;
  minConfidence: number;
}

/**
 * The first stage that has not answered for good, and why it should run again: it FAILED,
 * it (or the hand-over to it) has waited longer than `stuckAfterMs`, or its answer is unsure
 * and old. A stage a person already has is left to them.
 */
export function nextStage(
  c: Candidate,
  t: Timing,
): { stage: StageName; reason: ReprocessReason } | undefined {
  let previousAt = new Date(c.received_at).getTime();
  for (const stage of STAGES) {
    const state = c.stages[stage];
    if (c.escalated.includes(stage)) return undefined;
    if (!state) {
      return t.now - previousAt >= t.stuckAfterMs ? { stage, reason: 'stuck' } : undefined;
    }
    const at = new Date(state.at).getTime();
    if (state.status === 'FAILED') return { stage, reason: 'failed' };
    if (state.status === 'PENDING' || state.status === 'IN_PROGRESS') {
      return t.now - at >= t.stuckAfterMs ? { stage, reason: 'stuck' } : undefined;
    }
    const unsure =
      state.status === 'COMPLETED' &&
      unsureReason(stage, state.confidence, t.minConfidence) !== undefined;
    if (unsure && t.now - at >= t.unsureAfterMs) return { stage, reason: 'unsure' };
    previousAt = at;
  }
  return undefined;
}

/** What a stage is driven again with: the record's input and the reports before the stage. */
export interface StageInput {
  input: EnrichmentInput;
  stages: StageReports;
}

/** enrichment.reprocess.<stage>.<tenant>, with the reports of the stages before it. */
export function reprocessRequest(
  tenant: string,
  c: Candidate,
  stage: StageName,
  reason: ReprocessReason,
  { input, stages }: StageInput,
): PublishItem {
  const earlier = new Set(STAGES.slice(0, STAGES.indexOf(stage)));
  return eventOf(
    'enrichment.reprocess',
    {
      id: `${c.record_id}:${stage}:reprocess:${c.requests + 1}`,
      tenant,
      occurred_at: new Date().toISOString(),
      record_id: c.record_id,
      data: {
        stage,
        input,
        stages: Object.fromEntries(
          Object.entries(stages).filter(([s]) => earlier.has(s as StageName)),
        ),
        reason,
      },
    },
    { stage },
  );
}
