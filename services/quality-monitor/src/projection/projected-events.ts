import { EVENTS, RecordTypeSchema, STAGE_STATUSES, StageNameSchema } from '@refinery/contracts';
import { z } from 'zod';

/**
 * The monitor reads the events the way a tolerant reader does: it validates every field it
 * projects and passes the rest through untouched. Their producers validated them in full;
 * checking each input payload and stage output again here cost more than the projection
 * itself, on four deliveries per record. Rare events (escalations, reprocess requests) still
 * get the whole contract.
 */
const datetime = z.iso.datetime({ offset: true });

const envelope = <T extends z.ZodType>(type: string, data: T) =>
  z.looseObject({
    id: z.string().min(1),
    tenant: z.string().min(1),
    type: z.literal(type),
    occurred_at: datetime,
    record_id: z.uuid(),
    data,
  });

/** What the projection stores of a stage's report; the output is kept as the stage sent it. */
const report = z.looseObject({
  status: z.enum(STAGE_STATUSES),
  output: z.unknown(),
  retry_count: z.number().int().min(0),
  errors: z.array(z.string()),
  finished_at: datetime.nullable(),
  duration_ms: z.number().min(0),
});

const stages = z.looseObject({
  'order-analysis': report.optional(),
  classification: report.optional(),
  resolution: report.optional(),
});

const input = z.looseObject({ record_type: RecordTypeSchema, received_at: datetime });

export const ReceivedEventSchema = envelope(
  'records.received',
  z.looseObject({
    record_type: RecordTypeSchema,
    received_at: datetime,
    payload: z.record(z.string(), z.unknown()),
  }),
);

const stageResult = z.looseObject({ stage: StageNameSchema, stages });

/** Every event on `enrichment.<a>.<b>.<tenant>`: a stage's own, and reprocess requests. */
export const StageEventSchema = z.discriminatedUnion('type', [
  envelope('enrichment.done', stageResult),
  envelope('enrichment.failed', stageResult),
  envelope(
    'enrichment.retrying',
    z.looseObject({
      stage: StageNameSchema,
      retry_count: z.number().int().min(0),
      errors: z.array(z.string()),
    }),
  ),
  EVENTS['enrichment.escalated'].schema,
  EVENTS['enrichment.reprocess'].schema,
]);

export const CompletedEventSchema = envelope(
  'enrichment.completed',
  z.looseObject({
    input,
    stages,
    completed_at: datetime,
    latency_ms: z.number().min(0),
  }),
);
