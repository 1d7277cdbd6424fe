import type { Registry } from 'prom-client';

/** Who registers a metric: the project whose own test proves it does, as listed here. */
export type MetricOwner =
  | 'observability'
  | 'messaging'
  | 'persistence'
  | 'enrichment'
  | 'ingestion'
  | 'quality-monitor'
  | 'learning';

export interface MetricDefinition {
  readonly type: 'counter' | 'histogram' | 'gauge';
  readonly labels: readonly string[];
  readonly owner: MetricOwner;
}

const MESSAGE_LABELS = ['service', 'consumer', 'subject'];
/** A definition maker per owner, so each entry says only what is particular to it. */
const by =
  (owner: MetricOwner) =>
  (type: MetricDefinition['type'], labels: readonly string[]): MetricDefinition => ({
    type,
    labels,
    owner,
  });
const messaging = by('messaging');
const enrichment = by('enrichment');
const quality = by('quality-monitor');
const learning = by('learning');

/**
 * The metrics the services export, which the dashboards and alert rules query (deploy/grafana,
 * deploy/prometheus): renaming one breaks them. Each owner's test checks its registrations
 * against this list (catalogMismatches); deploy/test checks the running services export it.
 */
export const REFINERY_METRICS: Readonly<Record<string, MetricDefinition>> = {
  refinery_http_request_duration_seconds: by('observability')('histogram', [
    'method',
    'route',
    'status',
  ]),
  refinery_messages_consumed_total: messaging('counter', MESSAGE_LABELS),
  refinery_messages_acked_total: messaging('counter', MESSAGE_LABELS),
  refinery_messages_nakked_total: messaging('counter', MESSAGE_LABELS),
  refinery_messages_dead_lettered_total: messaging('counter', [...MESSAGE_LABELS, 'reason']),
  refinery_handler_duration_seconds: messaging('histogram', ['service', 'consumer']),
  refinery_batch_size: messaging('histogram', ['service', 'consumer']),
  refinery_publish_duration_seconds: messaging('histogram', ['stream']),
  /** Each stream's usage and limits, read from JetStream at scrape by every service. */
  refinery_stream_bytes: messaging('gauge', ['stream']),
  refinery_stream_messages: messaging('gauge', ['stream']),
  refinery_stream_max_bytes: messaging('gauge', ['stream']),
  refinery_stream_max_messages: messaging('gauge', ['stream']),
  /** Rows each service's retention job removed (docs/retention.md), by table: schema.table. */
  refinery_retention_deleted_rows_total: by('persistence')('counter', ['table']),
  refinery_ingest_events_total: by('ingestion')('counter', ['tenant', 'type', 'outcome']),
  refinery_enrichment_outcomes_total: enrichment('counter', ['stage', 'status']),
  refinery_enrichment_duplicates_total: enrichment('counter', ['stage']),
  refinery_enrichment_reviews_requested_total: enrichment('counter', ['stage']),
  refinery_enrichment_model_swaps_total: enrichment('counter', ['stage', 'outcome']),
  refinery_enrichment_ai_duration_seconds: enrichment('histogram', [
    'stage',
    'provider',
    'outcome',
  ]),
  refinery_quality_completeness_ratio: quality('gauge', ['tenant']),
  refinery_quality_backlog_records: quality('gauge', ['tenant']),
  refinery_quality_failure_ratio: quality('gauge', ['tenant']),
  refinery_quality_success_ratio: quality('gauge', ['tenant']),
  refinery_quality_score: quality('gauge', ['tenant']),
  refinery_quality_processed_last_hour: quality('gauge', ['tenant']),
  refinery_quality_latency_p95_seconds: quality('gauge', ['tenant']),
  refinery_quality_stage_duration_ms_avg: quality('gauge', ['tenant', 'stage']),
  /** Validation rules: the latest run of each rule, and runs and streamed violations counted. */
  refinery_quality_rule_unexpected_records: quality('gauge', [
    'table',
    'rule',
    'severity',
    'dimension',
  ]),
  refinery_quality_data_score: quality('gauge', ['table', 'dimension']),
  refinery_quality_rule_runs_total: quality('counter', ['trigger', 'outcome']),
  refinery_quality_stream_violations_total: quality('counter', ['tenant', 'rule', 'severity']),
  refinery_quality_confidence_bucket: quality('gauge', ['tenant', 'le']),
  refinery_quality_reprocess_requested_total: quality('counter', ['tenant', 'stage', 'reason']),
  /** The tenant's effective threshold: check completeness|quality_score|backlog|failure_rate. */
  refinery_quality_threshold: quality('gauge', ['tenant', 'check', 'severity']),
  refinery_quality_incomplete_after_day_records: quality('gauge', ['tenant']),
  refinery_quality_over_retry_limit_records: quality('gauge', ['tenant']),
  refinery_quality_escalated_records: quality('gauge', ['tenant']),
  refinery_quality_high_confidence_ratio: quality('gauge', ['tenant']),
  refinery_quality_alert_firing: quality('gauge', ['tenant', 'alert', 'severity']),
  refinery_dlq_messages: quality('gauge', []),
  refinery_learning_feedback_total: learning('counter', ['tenant', 'type', 'negative']),
  refinery_learning_applied_total: learning('counter', []),
  refinery_learning_queue_items: learning('gauge', ['tenant', 'status']),
};

/**
 * How a registry differs from the catalog for `owner`: a refinery_ metric it holds that the
 * catalog lacks or lists with another type or other labels, and a metric of `owner` it lacks.
 * prom-client knows a metric's labels only here, at registration: a scrape shows them on
 * samples alone.
 */
export function catalogMismatches(registry: Registry, owner: MetricOwner): string[] {
  const shape = (type: string, labels: readonly string[]) =>
    `${type} {${[...labels].sort().join(', ')}}`;
  const problems: string[] = [];
  const held = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    if (!name.startsWith('refinery_')) continue;
    held.add(name);
    const listed = REFINERY_METRICS[name];
    const found = shape(metric.constructor.name.toLowerCase(), labelNames);
    if (!listed) problems.push(`${name}: registered as ${found}, not in the catalog`);
    else if (found !== shape(listed.type, listed.labels))
      problems.push(
        `${name}: registered as ${found}, listed as ${shape(listed.type, listed.labels)}`,
      );
  }
  for (const [name, listed] of Object.entries(REFINERY_METRICS))
    if (listed.owner === owner && !held.has(name)) problems.push(`${name}: listed, not registered`);
  return problems;
}
