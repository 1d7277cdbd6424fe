import { z } from 'zod';
import { ExceptionSchema } from '../records/exception.schema';
import { OrderSchema } from '../records/order.schema';
import { TranscriptSchema } from '../records/transcript.schema';
import { ACTIONS, AI_LABELS, PROBLEM_CODES } from './vocabulary';

/** The enrichment stages, in the order a record passes through them. */
export const STAGES = ['order-analysis', 'classification', 'resolution'] as const;
export type StageName = (typeof STAGES)[number];
export const StageNameSchema = z.enum(STAGES);

/**
 * PENDING: waiting for its first or next attempt. IN_PROGRESS: an attempt is running.
 * COMPLETED: the AI answered. SKIPPED: the stage did not apply (see `skip_reason`).
 * FAILED: every attempt failed; the outputs are NULL.
 */
export const STAGE_STATUSES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'SKIPPED'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

const datetime = z.iso.datetime({ offset: true });
const confidence = z.number().min(0).max(1);

const receivedFields = { source: z.string(), external_id: z.string(), received_at: datetime };
const receivedOrder = z.object({
  record_type: z.literal('order'),
  ...receivedFields,
  payload: OrderSchema,
});
const receivedException = z.object({
  record_type: z.literal('exception'),
  ...receivedFields,
  payload: ExceptionSchema,
});
const receivedTranscript = z.object({
  record_type: z.literal('transcript'),
  ...receivedFields,
  payload: TranscriptSchema,
});

/**
 * The record as ingestion accepted it: what every stage reads. Only the types enrichment
 * takes (`ENRICHED_RECORD_TYPES`); the stages' consumers are not given any other.
 */
export const EnrichmentInputSchema = z.discriminatedUnion('record_type', [
  receivedOrder,
  receivedException,
]);
/** Any record as ingestion accepted and announced it on `records.received`, transcripts too. */
export const ReceivedRecordSchema = z.discriminatedUnion('record_type', [
  receivedOrder,
  receivedException,
  receivedTranscript,
]);
export type ReceivedRecord = z.infer<typeof ReceivedRecordSchema>;
export type EnrichmentInput = z.infer<typeof EnrichmentInputSchema>;

export const AnalysisOutputSchema = z.object({
  problems: z
    .array(z.object({ code: z.enum(PROBLEM_CODES), confidence }))
    .min(1)
    .describe('`[{ code: "NONE" }]` when nothing is wrong'),
});

export const ClassificationOutputSchema = z.object({
  ai_label: z.enum(AI_LABELS),
  ai_confidence: confidence,
  explanation: z
    .array(z.object({ feature: z.string(), weight: z.number() }))
    .describe('the features that weighed most, strongest first'),
});

export const ResolutionOutputSchema = z.object({
  action: z.enum(ACTIONS),
  automatable: z.boolean(),
  rationale: z.string(),
  confidence,
});

export type AnalysisOutput = z.infer<typeof AnalysisOutputSchema>;
export type ClassificationOutput = z.infer<typeof ClassificationOutputSchema>;
export type ResolutionOutput = z.infer<typeof ResolutionOutputSchema>;

/** One stage's account of a record. `output` is null unless the stage COMPLETED. */
const stageReport = <T extends z.ZodType>(output: T) =>
  z.object({
    status: z.enum(STAGE_STATUSES),
    output: output.nullable(),
    skip_reason: z.string().nullable(),
    /** Failed attempts before this outcome (low confidence counts as one). */
    retry_count: z.number().int().min(0),
    /** Why each failed attempt failed, oldest first. */
    errors: z.array(z.string()),
    provider: z.string().nullable().describe('the AI provider: local, openai or rules'),
    model_version: z.string().nullable(),
    first_attempt_at: datetime.nullable(),
    finished_at: datetime,
    /** How long the last attempt took. */
    duration_ms: z.number().min(0),
  });

export const StageReportsSchema = z.object({
  'order-analysis': stageReport(AnalysisOutputSchema).optional(),
  classification: stageReport(ClassificationOutputSchema).optional(),
  resolution: stageReport(ResolutionOutputSchema).optional(),
});
export type StageReports = z.infer<typeof StageReportsSchema>;
export type StageReport<S extends StageName> = NonNullable<StageReports[S]>;
export type StageOutput<S extends StageName> = NonNullable<StageReport<S>['output']>;

export const StageDoneSchema = z.object({
  stage: StageNameSchema,
  input: EnrichmentInputSchema,
  stages: StageReportsSchema,
});

export const StageFailedSchema = StageDoneSchema.extend({
  reason: z.string().describe('why the last attempt failed'),
});

/** Run `stage` again for a record that stalled: its input and the reports of earlier stages. */
export const ReprocessRequestedSchema = StageDoneSchema.extend({
  reason: z.string().describe('why the record is driven again: stalled, failed'),
});

/** A stage was asked to run a record again after its last retry: a person has to look. */
export const StageEscalatedSchema = z.object({
  stage: StageNameSchema,
  reason: z.string(),
  retry_count: z.number().int().min(0),
  errors: z.array(z.string()),
  input: EnrichmentInputSchema,
});

export const StageRetryingSchema = z.object({
  stage: StageNameSchema,
  /** The attempt that just failed, from 1. */
  attempt: z.number().int().min(1),
  retry_count: z.number().int().min(0),
  reason: z.string().describe('why this attempt failed, or why its answer is asked again'),
  errors: z.array(z.string()).describe('every failed attempt so far'),
});

export const EnrichmentCompletedSchema = z.object({
  input: EnrichmentInputSchema,
  stages: z.object({
    'order-analysis': stageReport(AnalysisOutputSchema),
    classification: stageReport(ClassificationOutputSchema),
    resolution: stageReport(ResolutionOutputSchema),
  }),
  completed_at: datetime,
  /** From ingestion's `received_at` to `completed_at`. */
  latency_ms: z.number().min(0),
});

export const ReviewRequestedSchema = z.object({
  stage: StageNameSchema,
  reason: z.string(),
  min_confidence: confidence,
  input: EnrichmentInputSchema,
  output: ClassificationOutputSchema.nullable().describe(
    'the unsure answer; null for a record escalated after its last retry',
  ),
});

/** Where one record of a stage batch stands after it; what the quality monitor keeps. */
export const StageBatchRecordSchema = z.object({
  record_id: z.uuid(),
  record_type: z.enum(['order', 'exception']),
  received_at: datetime,
  status: z.enum(STAGE_STATUSES),
  retry_count: z.number().int().min(0),
  errors: z
    .array(z.string())
    .describe('every failed attempt so far, when the record is PENDING or FAILED'),
  confidence: confidence.nullable(),
  duration_ms: z.number().min(0).nullable(),
  finished_at: datetime.nullable(),
  input_seq: z
    .number()
    .int()
    .min(1)
    .describe("the sequence, in the batch's `input_stream`, of the message the stage read"),
  output_seq: z
    .number()
    .int()
    .min(1)
    .nullable()
    .describe('the sequence in ENRICHMENT of the done or completed event this stage published'),
  escalated: z
    .string()
    .nullable()
    .describe('why the record was handed to a person in this batch, if it was'),
});

/**
 * One report per stage batch and tenant: the quality monitor's feed. It holds no input and
 * no output; the monitor reads those from their streams by sequence when it drives a record
 * again. The per-record events stay for their subscribers.
 */
export const StageBatchSchema = z.object({
  stage: StageNameSchema,
  batch_id: z.uuid(),
  input_stream: z.enum(['RECORDS', 'ENRICHMENT']),
  records: z.array(StageBatchRecordSchema).min(1),
});
