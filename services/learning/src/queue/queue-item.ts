/** A learning-queue item as the API shows it. */
export interface QueueItem {
  id: string;
  tenant: string;
  status: 'pending' | 'approved' | 'rejected' | 'applied';
  source_type: 'feedback' | 'correction' | 'transcript' | 'manual';
  source_id: string | null;
  record_id: string | null;
  duplicate_of: string | null;
  content: string;
  proposed_content: Record<string, unknown>;
  confidence_score: number;
  decided_by: string | null;
  decided_at: string | null;
  applied_at: string | null;
  published_at: string | null;
  created_at: string;
  updated_at: string;
}

export const ITEM_COLUMNS = `id, tenant, status, source_type, source_id, interaction_id AS record_id,
  duplicate_of, content, proposed_content, confidence_score::float8 AS confidence_score, decided_by,
  decided_at, applied_at, published_at, created_at, updated_at`;

/** Item columns qualified by a table alias, for joins. */
export const itemColumns = (alias: string) =>
  ITEM_COLUMNS.replace(/(^|,\s*)(\w+)/g, (_m, sep: string, col: string) => `${sep}${alias}.${col}`);
