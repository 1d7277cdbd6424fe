/** One example as the service streams it out of Postgres for an export. */
export interface ExportExample {
  /** Example id (uuid). */
  id: string;
  type: 'classification' | 'resolution' | 'order_analysis';
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown> | null;
  /** 0-100. */
  quality_score: number | null;
  /** e.g. { hash, tier, validation_status, source_decision_id } */
  metadata: Record<string, unknown>;
}

export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet', 'tfrecord', 'hf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
