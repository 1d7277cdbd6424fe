/**
 * JetStream streams. Renaming a stream or changing its subjects strands every durable
 * consumer bound to it: do not rename without a migration plan.
 */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly description: string;
  /** Retention in days; JetStream discards older messages. */
  readonly maxAgeDays: number;
}

const stream = (def: StreamDefinition): StreamDefinition => def;

export const STREAMS = {
  INGEST: stream({
    name: 'INGEST',
    subjects: ['ingest.>'],
    description: 'Upstream events arriving over NATS, and the ones ingestion rejected',
    maxAgeDays: 7,
  }),
  RECORDS: stream({
    name: 'RECORDS',
    subjects: ['records.>'],
    description: 'Records accepted and stored by ingestion',
    maxAgeDays: 14,
  }),
  ENRICHMENT: stream({
    name: 'ENRICHMENT',
    subjects: ['enrichment.>'],
    description: 'Stage results, failures, reprocessing requests and completed records',
    maxAgeDays: 14,
  }),
  LEARNING: stream({
    name: 'LEARNING',
    subjects: ['review.>', 'feedback.>', 'corrections.>', 'learning.>', 'models.>'],
    description: 'Review requests, feedback, corrections and model publications',
    maxAgeDays: 30,
  }),
  DATASETS: stream({
    name: 'DATASETS',
    subjects: ['datasets.>'],
    description: 'Commits on golden datasets',
    maxAgeDays: 30,
  }),
  ALERTS: stream({
    name: 'ALERTS',
    subjects: ['alerts.>'],
    description: 'Alerts raised by the quality monitor',
    maxAgeDays: 30,
  }),
  DLQ: stream({
    name: 'DLQ',
    subjects: ['dlq.>'],
    description: 'Messages a consumer gave up on, with headers naming why',
    maxAgeDays: 30,
  }),
} as const;

export type StreamName = keyof typeof STREAMS;
