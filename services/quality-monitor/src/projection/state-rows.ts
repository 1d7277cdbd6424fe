import {
  confidenceOf,
  isFinal,
  STAGE_EVENTS,
  STAGES,
  type EventPayload,
  type StageName,
  type StageReports,
  type StageStatus,
} from '@refinery/contracts';

/** What the projection's three consumers read. */
export type ProjectedEvent = EventPayload<
  'records.received' | (typeof STAGE_EVENTS)[number] | 'enrichment.completed'
>;

export interface RecordRow {
  record_id: string;
  tenant: string;
  record_type: string | null;
  received_at: string | null;
  completed_at: string | null;
  latency_ms: number | null;
  /** What the stages were given, so the monitor can drive the record again. */
  input: unknown;
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
  report: unknown;
}

const LAST_STAGE = STAGES[STAGES.length - 1];

/**
 * The row of the one stage an event reports on. Every stage publishes an event of its own,
 * so the earlier stages' reports that later events carry again add nothing.
 */
function stageRows(event: ProjectedEvent, stages: StageReports, stage: StageName): StageRow[] {
  const report = stages[stage];
  if (!report) return [];
  const at = report.finished_at ?? event.occurred_at;
  return [
    {
      record_id: event.record_id,
      stage,
      tenant: event.tenant,
      status: report.status,
      retry_count: report.retry_count,
      last_attempt_at: at,
      errors: report.errors,
      confidence: confidenceOf(stage, report.output as never),
      duration_ms: report.duration_ms,
      final: isFinal(report.status),
      event_at: at,
      // Reports are kept to drive later stages again; none comes after the last one.
      report: stage === LAST_STAGE ? null : report,
    },
  ];
}

/** What one event says about its record, its stages and whether a person was called. */
export function rowsOf(event: ProjectedEvent): {
  record?: RecordRow;
  stages: StageRow[];
  escalation?: EscalationRow;
} {
  const about = { record_id: event.record_id, tenant: event.tenant };
  const record: RecordRow = {
    ...about,
    record_type: null,
    received_at: null,
    completed_at: null,
    latency_ms: null,
    input: null,
  };
  switch (event.type) {
    case 'records.received': {
      const { data } = event;
      return {
        record: {
          ...record,
          record_type: data.record_type,
          received_at: data.received_at,
          input: data,
        },
        stages: [],
      };
    }
    // The monitor's own request: what it changes shows in the stage's next events.
    case 'enrichment.reprocess':
      return { stages: [] };
    case 'enrichment.escalated': {
      const { stage, reason, input } = event.data;
      const escalation = { ...about, stage, reason, escalated_at: event.occurred_at };
      return { record: { ...record, input }, stages: [], escalation };
    }
    case 'enrichment.retrying': {
      const { stage, retry_count, errors } = event.data;
      const at = event.occurred_at;
      const row: StageRow = {
        ...about,
        stage,
        status: 'PENDING',
        retry_count,
        errors,
        last_attempt_at: at,
        event_at: at,
        confidence: null,
        duration_ms: null,
        final: false,
        report: null,
      };
      return { stages: [row] };
    }
    case 'enrichment.completed': {
      const { data } = event;
      // The input came with records.received, and each earlier stage with its own event.
      return {
        record: {
          ...record,
          record_type: data.input.record_type,
          received_at: data.input.received_at,
          completed_at: data.completed_at,
          latency_ms: data.latency_ms,
        },
        stages: stageRows(event, data.stages, LAST_STAGE),
      };
    }
    default: {
      const { data } = event;
      return { stages: stageRows(event, data.stages, data.stage) };
    }
  }
}

const later = (a: StageRow, b: StageRow) =>
  a.final !== b.final ? a.final : Date.parse(a.event_at) > Date.parse(b.event_at);

/**
 * One row per record and per (record, stage) for a batch, merged the way the database merges
 * rows across batches: a statement cannot touch the same row twice.
 */
export function mergeRows(events: readonly ProjectedEvent[]) {
  const records = new Map<string, RecordRow>();
  const stages = new Map<string, StageRow>();
  const escalations = new Map<string, EscalationRow>();
  for (const event of events) {
    const rows = rowsOf(event);
    if (rows.escalation)
      escalations.set(`${rows.escalation.record_id}:${rows.escalation.stage}`, rows.escalation);
    const record = rows.record;
    const known = record && records.get(record.record_id);
    if (record)
      records.set(
        record.record_id,
        known
          ? {
              ...known,
              record_type: known.record_type ?? record.record_type,
              received_at: known.received_at ?? record.received_at,
              completed_at: known.completed_at ?? record.completed_at,
              latency_ms: known.latency_ms ?? record.latency_ms,
              input: known.input ?? record.input,
            }
          : record,
      );
    for (const row of rows.stages) {
      const key = `${row.record_id}:${row.stage}`;
      const current = stages.get(key);
      if (!current || later(row, current)) stages.set(key, row);
    }
  }
  return {
    records: [...records.values()],
    stages: [...stages.values()],
    escalations: [...escalations.values()],
  };
}
