import { STAGES, type EventPayload, type StageName, type StageStatus } from '@refinery/contracts';

/** What the projection's consumers read: received records, and the stages' batch reports. */
export type ProjectedEvent = EventPayload<'records.received' | 'enrichment.batch'>;

/** An event with where it sits in its stream. */
export interface Projected {
  event: ProjectedEvent;
  sequence: number;
}

export interface RecordRow {
  record_id: string;
  tenant: string;
  record_type: string | null;
  received_at: string | null;
  completed_at: string | null;
  latency_ms: number | null;
  /** Where records.received is in RECORDS: what the first stage is driven again with. */
  input_seq: number | null;
}

export interface EscalationRow {
  record_id: string;
  stage: StageName;
  tenant: string;
  reason: string;
  escalated_at: string;
}

export interface StageRow {
  record_id: string;
  stage: StageName;
  tenant: string;
  status: StageStatus;
  retry_count: number;
  last_attempt_at: string | null;
  errors: string[];
  confidence: number | null;
  duration_ms: number | null;
  final: boolean;
  event_at: string;
  /** The stage's input in ENRICHMENT (a done event or a reprocess request), if it came from there. */
  input_seq: number | null;
  /** Its done or completed event in ENRICHMENT: what the next stage is driven again with. */
  output_seq: number | null;
}

const LAST_STAGE = STAGES[STAGES.length - 1];
const FINAL: readonly StageStatus[] = ['COMPLETED', 'SKIPPED', 'FAILED'];

/** What one event says about its records, their stages and whether a person was called. */
export function rowsOf({ event, sequence }: Projected): {
  records: RecordRow[];
  stages: StageRow[];
  escalations: EscalationRow[];
} {
  const { tenant } = event;
  if (event.type === 'records.received') {
    const { data } = event;
    const record: RecordRow = {
      record_id: event.record_id!,
      tenant,
      record_type: data.record_type,
      received_at: data.received_at,
      completed_at: null,
      latency_ms: null,
      input_seq: sequence,
    };
    return { records: [record], stages: [], escalations: [] };
  }
  const { stage, input_stream: stream, records } = event.data;
  const result = {
    records: [] as RecordRow[],
    stages: [] as StageRow[],
    escalations: [] as EscalationRow[],
  };
  for (const r of records) {
    const about = { record_id: r.record_id, tenant };
    if (r.escalated !== null) {
      // The stage's own row already says where it stands; this says a person has it now.
      result.escalations.push({
        ...about,
        stage,
        reason: r.escalated,
        escalated_at: event.occurred_at,
      });
      continue;
    }
    const at = r.finished_at ?? event.occurred_at;
    const final = FINAL.includes(r.status);
    const completed = stage === LAST_STAGE && final && r.status !== 'FAILED';
    // The record's own row learns only its completion here: its arrival came with
    // records.received, and an upsert that changes nothing still locks and logs the row.
    if (completed)
      result.records.push({
        ...about,
        record_type: r.record_type,
        received_at: r.received_at,
        completed_at: at,
        latency_ms: Math.max(0, Date.parse(at) - Date.parse(r.received_at)),
        input_seq: null,
      });
    result.stages.push({
      ...about,
      stage,
      status: r.status,
      retry_count: r.retry_count,
      last_attempt_at: at,
      errors: r.errors,
      confidence: r.confidence,
      duration_ms: r.duration_ms,
      final,
      event_at: at,
      input_seq: stream === 'ENRICHMENT' ? r.input_seq : null,
      output_seq: r.output_seq,
    });
  }
  return result;
}

const later = (a: StageRow, b: StageRow) =>
  a.final !== b.final ? a.final : Date.parse(a.event_at) > Date.parse(b.event_at);

/**
 * One row per record and per (record, stage) for a batch, merged the way the database merges
 * rows across batches: a statement cannot touch the same row twice.
 */
export function mergeRows(events: readonly Projected[]) {
  const records = new Map<string, RecordRow>();
  const stages = new Map<string, StageRow>();
  const escalations = new Map<string, EscalationRow>();
  for (const projected of events) {
    const rows = rowsOf(projected);
    for (const row of rows.escalations) escalations.set(`${row.record_id}:${row.stage}`, row);
    for (const record of rows.records) {
      const known = records.get(record.record_id);
      records.set(
        record.record_id,
        known
          ? {
              ...known,
              record_type: known.record_type ?? record.record_type,
              received_at: known.received_at ?? record.received_at,
              completed_at: known.completed_at ?? record.completed_at,
              latency_ms: known.latency_ms ?? record.latency_ms,
              input_seq: known.input_seq ?? record.input_seq,
            }
          : record,
      );
    }
    for (const row of rows.stages) {
      const key = `${row.record_id}:${row.stage}`;
      const current = stages.get(key);
      if (!current) stages.set(key, row);
      else {
        const [newer, older] = later(row, current) ? [row, current] : [current, row];
        // A sequence once known is kept, whichever report brought it.
        stages.set(key, {
          ...newer,
          input_seq: newer.input_seq ?? older.input_seq,
          output_seq: newer.output_seq ?? older.output_seq,
        });
      }
    }
  }
  return {
    records: [...records.values()],
    stages: [...stages.values()],
    escalations: [...escalations.values()],
  };
}
