import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@refinery/contracts';
import type { AlertState } from '../alerts/alert-states.repository';
import type { TenantThresholds } from '../alerts/checks';
import type { TenantReport } from '../report/tenant-report';
import { oncePerScrape, scrapedGauge as gauge } from '../shared/scrape-metrics';

type Figure = (report: TenantReport) => number | null;

/** Where the figures come from: the tenants followed, and per tenant. */
export interface QualitySources {
  tenants(): Promise<string[]>;
  report(tenant: string): Promise<TenantReport>;
  thresholds(tenant: string): Promise<TenantThresholds>;
  alerts(tenant: string): Promise<AlertState[]>;
}

/** What one scrape reads of a tenant. */
interface TenantFigures {
  report: TenantReport;
  levels: TenantThresholds;
  /** `<alert>:<severity>` of the alerts firing. */
  firing: Set<string>;
}

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
  refinery_quality_high_confidence_ratio: [
    'Share of classifications at or above the confidence threshold',
    (r) => r.high_confidence_rate,
  ],
  refinery_quality_incomplete_after_day_records: [
    'Records incomplete a day after they arrived and not escalated: should be 0',
    (r) => r.integrity.incomplete_after_day,
  ],
  refinery_quality_over_retry_limit_records: [
    'Stage attempts retried more often than the limit: should be 0',
    (r) => r.integrity.over_retry_limit,
  ],
  refinery_quality_escalated_records: [
    'Records a stage handed to a person past its retry or reprocess limit',
    (r) => r.integrity.escalated,
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
export function registerQualityMetrics(sources: QualitySources, nc: NatsConnection): void {
  const current = oncePerScrape(async (): Promise<TenantFigures[]> => {
    const tenants = await sources.tenants();
    return Promise.all(
      tenants.map(async (tenant) => {
        const [report, levels, states] = await Promise.all([
          sources.report(tenant),
          sources.thresholds(tenant),
          sources.alerts(tenant),
        ]);
        const firing = states.filter((a) => a.firing).map((a) => `${a.alert}:${a.severity}`);
        return { report, levels, firing: new Set(firing) };
      }),
    );
  });

  for (const [name, [help, figure]] of Object.entries(FIGURES)) {
    gauge(name, help, ['tenant'], async (set) => {
      for (const { report } of await current()) {
        const value = figure(report);
        if (value !== null) set({ tenant: report.tenant }, value);
      }
    });
  }

  gauge(
    'refinery_quality_confidence_bucket',
    'Classifications per confidence, cumulative like a histogram',
    ['tenant', 'le'],
    async (set) => {
      for (const { report } of await current()) {
        let total = 0;
        for (const bucket of report.confidence_histogram) {
          total += bucket.records;
          set({ tenant: report.tenant, le: String(bucket.to) }, total);
        }
        set({ tenant: report.tenant, le: '+Inf' }, total);
      }
    },
  );

  gauge(
    'refinery_quality_threshold',
    "The tenant's threshold in force for each check",
    ['tenant', 'check', 'severity'],
    async (set) => {
      for (const { report, levels } of await current()) {
        for (const [check, bySeverity] of Object.entries(levels)) {
          for (const [severity, value] of Object.entries(bySeverity))
            if (value !== undefined) set({ tenant: report.tenant, check, severity }, value);
        }
      }
    },
  );

  gauge(
    'refinery_quality_alert_firing',
    "1 while the monitor's own evaluation has the alert firing, 0 otherwise",
    ['tenant', 'alert', 'severity'],
    async (set) => {
      for (const { report, levels, firing } of await current()) {
        for (const [alert, bySeverity] of Object.entries(levels)) {
          for (const severity of Object.keys(bySeverity)) {
            const on = firing.has(`${alert}:${severity}`) ? 1 : 0;
            set({ tenant: report.tenant, alert, severity }, on);
          }
        }
      }
    },
  );

  gauge('refinery_dlq_messages', 'Messages waiting in the dead-letter stream', [], async (set) => {
    const jsm = await jetstreamManager(nc);
    set({}, (await jsm.streams.info(STREAMS.DLQ.name)).state.messages);
  });

  gauge(
    'refinery_quality_stage_duration_ms_avg',
    'Average time of a stage attempt, per tenant and stage',
    ['tenant', 'stage'],
    async (set) => {
      for (const { report } of await current()) {
        for (const [stage, figures] of Object.entries(report.stages)) {
          if (figures.avg_duration_ms !== null)
            set({ tenant: report.tenant, stage }, figures.avg_duration_ms);
        }
      }
    },
  );
}
