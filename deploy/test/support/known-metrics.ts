/**
 * The metrics the services export, which the dashboards and alert rules may query.
 * metrics-catalog.spec.ts checks this list against what the code registers.
 */
export interface MetricDefinition {
  readonly type: 'counter' | 'histogram' | 'gauge';
  readonly labels: readonly string[];
}

const MESSAGE_LABELS = ['service', 'consumer', 'subject'];

export const REFINERY_METRICS: Readonly<Record<string, MetricDefinition>> = {
  refinery_http_request_duration_seconds: {
    type: 'histogram',
    labels: ['method', 'route', 'status'],
  },
  refinery_messages_consumed_total: { type: 'counter', labels: MESSAGE_LABELS },
  refinery_messages_acked_total: { type: 'counter', labels: MESSAGE_LABELS },
  refinery_messages_nakked_total: { type: 'counter', labels: MESSAGE_LABELS },
  refinery_messages_dead_lettered_total: { type: 'counter', labels: [...MESSAGE_LABELS, 'reason'] },
  refinery_handler_duration_seconds: { type: 'histogram', labels: ['service', 'consumer'] },
  refinery_batch_size: { type: 'histogram', labels: ['service', 'consumer'] },
  refinery_publish_duration_seconds: { type: 'histogram', labels: ['stream'] },
  refinery_ingest_events_total: { type: 'counter', labels: ['tenant', 'type', 'outcome'] },
  refinery_enrichment_outcomes_total: { type: 'counter', labels: ['stage', 'status'] },
  refinery_enrichment_duplicates_total: { type: 'counter', labels: ['stage'] },
  refinery_enrichment_reviews_requested_total: { type: 'counter', labels: ['stage'] },
  refinery_enrichment_ai_duration_seconds: {
    type: 'histogram',
    labels: ['stage', 'provider', 'outcome'],
  },
  refinery_quality_completeness_ratio: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_backlog_records: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_failure_ratio: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_success_ratio: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_score: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_processed_last_hour: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_latency_p95_seconds: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_stage_duration_ms_avg: { type: 'gauge', labels: ['tenant', 'stage'] },
  /** Validation rules: the latest run of each rule, and runs and streamed violations counted. */
  refinery_quality_rule_unexpected_records: {
    type: 'gauge',
    labels: ['table', 'rule', 'severity', 'dimension'],
  },
  refinery_quality_data_score: { type: 'gauge', labels: ['table', 'dimension'] },
  refinery_quality_rule_runs_total: { type: 'counter', labels: ['trigger', 'outcome'] },
  refinery_quality_stream_violations_total: {
    type: 'counter',
    labels: ['tenant', 'rule', 'severity'],
  },
  refinery_quality_confidence_bucket: { type: 'gauge', labels: ['tenant', 'le'] },
  refinery_quality_reprocess_requested_total: {
    type: 'counter',
    labels: ['tenant', 'stage', 'reason'],
  },
  /** The tenant's effective threshold: check completeness|quality_score|backlog|failure_rate. */
  refinery_quality_threshold: { type: 'gauge', labels: ['tenant', 'check', 'severity'] },
  refinery_quality_incomplete_after_day_records: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_over_retry_limit_records: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_escalated_records: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_high_confidence_ratio: { type: 'gauge', labels: ['tenant'] },
  refinery_quality_alert_firing: { type: 'gauge', labels: ['tenant', 'alert', 'severity'] },
  refinery_dlq_messages: { type: 'gauge', labels: [] },
};

export const INGEST_OUTCOMES = ['accepted', 'duplicate', 'invalid', 'rejected'];

/** Labels Prometheus attaches to every scraped series (see deploy/prometheus/prometheus.yml). */
export const TARGET_LABELS = ['job', 'instance', 'service'];

/** Series Prometheus itself provides. */
const PROMETHEUS_SERIES: Readonly<Record<string, readonly string[]>> = {
  up: [],
  ALERTS: ['alertname', 'alertstate', 'severity'],
};

/** prom-client's default Node.js metrics. */
const DEFAULT_METRIC = /^(process|nodejs)_[a-z0-9_]+$/;

export type SeriesLookup =
  | { readonly kind: 'known'; readonly labels: readonly string[] }
  | { readonly kind: 'default' }
  | { readonly kind: 'unknown' };

/** What a series name in a query refers to: histograms are read as _bucket, _sum, _count. */
export function lookupSeries(name: string): SeriesLookup {
  const direct = REFINERY_METRICS[name];
  if (direct && direct.type !== 'histogram') return { kind: 'known', labels: direct.labels };
  const histogram = /^(.+)_(bucket|sum|count)$/.exec(name);
  const base = histogram ? REFINERY_METRICS[histogram[1]] : undefined;
  if (histogram && base?.type === 'histogram') {
    return {
      kind: 'known',
      labels: histogram[2] === 'bucket' ? [...base.labels, 'le'] : base.labels,
    };
  }
  if (name in PROMETHEUS_SERIES) return { kind: 'known', labels: PROMETHEUS_SERIES[name] };
  if (DEFAULT_METRIC.test(name)) return { kind: 'default' };
  return { kind: 'unknown' };
}

/** The base metric a series belongs to (refinery_batch_size_bucket -> refinery_batch_size). */
export function baseMetric(series: string): string {
  const histogram = /^(.+)_(bucket|sum|count)$/.exec(series);
  return histogram && REFINERY_METRICS[histogram[1]]?.type === 'histogram' ? histogram[1] : series;
}
