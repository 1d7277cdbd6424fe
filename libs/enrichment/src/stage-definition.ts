import type { AiProvider, RecordInput, TaskPrompts } from '@refinery/ai';
import type {
  EnrichmentInput,
  ServedModelName,
  StageName,
  StageOutput,
  StageReports,
} from '@refinery/contracts';

/** A record as a stage sees it: what ingestion accepted and what earlier stages said. */
export interface StageWork {
  recordId: string;
  tenant: string;
  input: EnrichmentInput;
  stages: StageReports;
}

export interface StageRules {
  minConfidence: number;
}

/**
 * What makes one stage different from the others; the runtime does the rest (state,
 * retries, publishing, exactly-once). Stages that need earlier outputs read them from
 * `work.stages`, which the runtime guarantees are COMPLETED or SKIPPED.
 */
export interface StageDefinition<S extends StageName = StageName> {
  name: S;
  /** The event this stage consumes: `records.received`, or the previous stage's `enrichment.done`. */
  source: { event: 'records.received' } | { event: 'enrichment.done'; stage: StageName };
  /** What an OpenAI-compatible model is told for the task `run` asks. */
  prompts: TaskPrompts;
  /** Decided without AI: a reason to skip the record, or undefined to run the stage. */
  skipReason(work: StageWork, rules: StageRules): string | undefined;
  /** The AI call; throws when the provider cannot answer. */
  run(provider: AiProvider, record: RecordInput, work: StageWork): Promise<StageOutput<S>>;
  /** The registry model the stage serves per tenant once one is promoted (local provider only). */
  model?: ServedModelName;
  /** The last stage publishes `enrichment.completed`; the others `enrichment.done`. */
  last?: boolean;
}

export const recordInputOf = (work: StageWork): RecordInput => ({
  recordId: work.recordId,
  tenant: work.tenant,
  recordType: work.input.record_type,
  payload: work.input.payload as Record<string, unknown>,
  // The stage's consumer validated the whole input, payload included, against its schema.
  checked: true,
});
