import { Gauge, register } from 'prom-client';
import type { EnrichmentReport, TenantReport } from './enrichment-report';

type Figure = (report: TenantReport) => number | null;

const FIGURES: Record<string, [help: string, figure: Figure]> = {
  refinery_quality_completeness_ratio: [
    'Completed share of the records old enough to have finished',
    (r) => r.completeness,
  ],
  refinery_quality_backlog_records: [
    'Records received and not yet finished',
    (r) => r.records.backlog,
  ],
  refinery_quality_failure_ratio: ['FAILED share of the finished records', (r) => r.failure_rate],
  refinery_quality_success_ratio: [
    'Completed share of the finished records',
    (r) => r.success_rate,
  ],
  refinery_quality_score: ['Quality score, 0 to 100', (r) => r.quality_score],
  refinery_quality_processed_last_hour: [
    'Records completed in the last hour',
    (r) => r.processed_last_hour,
  ],
  refinery_quality_latency_p95_seconds: [
    'From ingestion to enrichment.completed, 95th percentile',
    (r) => (r.latency_ms.p95 === null ? null : r.latency_ms.p95 / 1000),
  ],
};

/**
 * Per-tenant gauges, computed from the projection when Prometheus scrapes: one source of
 * truth for the HTTP report and the metrics.
 */
export function registerQualityMetrics(reports: EnrichmentReport): void {
  let latest: Promise<TenantReport[]> | undefined;
  // Every gauge's collect runs in the same scrape; they share one round of queries.
  const current = () =>
    (latest ??= (async () => {
      try {
        return await Promise.all((await reports.tenants()).map((t) => reports.report(t)));
      } finally {
        setTimeout(() => (latest = undefined), 1_000).unref();
      }
    })());

  for (const [name, [help, figure]] of Object.entries(FIGURES)) {
    register.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      labelNames: ['tenant'],
      async collect() {
        this.reset();
        for (const report of await current()) {
          const value = figure(report);
          if (value !== null) this.set({ tenant: report.tenant }, value);
        }
      },
    });
  }

  const stageDuration = 'refinery_quality_stage_duration_ms_avg';
  register.removeSingleMetric(stageDuration);
  new Gauge({
    name: stageDuration,
    help: 'Average time of a stage attempt, per tenant and stage',
    labelNames: ['tenant', 'stage'],
    async collect() {
      this.reset();
      for (const report of await current()) {
        for (const [stage, figures] of Object.entries(report.stages)) {
          if (figures.avg_duration_ms !== null)
            this.set({ tenant: report.tenant, stage }, figures.avg_duration_ms);
        }
      }
    },
  });
}
