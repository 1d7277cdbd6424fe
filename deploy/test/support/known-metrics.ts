import { REFINERY_METRICS } from '@refinery/observability';

// The catalog of metrics the services export lives in libs/observability, where each owner's
// tests check their registrations against it; metrics-catalog.spec.ts checks the running services.
export { REFINERY_METRICS };

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
