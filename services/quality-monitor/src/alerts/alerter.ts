import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { eventOf, type AlertSeverity } from '@refinery/contracts';
import { JetStreamPublisher, type PublishItem } from '@refinery/messaging';
import { DataSource } from 'typeorm';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { Periodic } from '../periodic';
import { EnrichmentReport } from '../report/enrichment-report';
import { summaryOf, Thresholds, type CheckName } from './thresholds';

export interface AlertState {
  tenant: string;
  alert: CheckName;
  severity: AlertSeverity;
  firing: boolean;
  value: number;
  threshold: number;
  since: string;
  changed_at: string;
}

/** The runbook of each alert, shared with the Prometheus rule that mirrors it. */
const RUNBOOKS: Record<CheckName, string> = {
  completeness: 'quality-completeness-{severity}',
  quality_score: 'quality-score-{severity}',
  backlog: 'quality-backlog-critical',
  failure_rate: 'quality-failure-rate-critical',
  incomplete_after_day: 'quality-records-incomplete-after-day',
  over_retry_limit: 'quality-records-over-retry-limit',
};
export const runbookOf = (alert: CheckName, severity: AlertSeverity) =>
  `docs/runbooks/${RUNBOOKS[alert].replace('{severity}', severity)}.md`;

/**
 * Evaluates every tenant's checks on a schedule and publishes each change on
 * alerts.<severity>.<tenant>: `firing` when a check crosses a threshold, `resolved` when it
 * comes back. The state lives in the database, so a restart announces nothing twice.
 */
@Injectable()
export class Alerter implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Alerter');
  private readonly schedule = new Periodic('alert evaluation', () => this.evaluateAll(), this.log);

  constructor(
    private readonly db: DataSource,
    private readonly reports: EnrichmentReport,
    private readonly thresholds: Thresholds,
    private readonly publisher: JetStreamPublisher,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  onModuleInit(): void {
    this.schedule.start(this.config.QUALITY_ALERT_INTERVAL);
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }

  async evaluateAll(): Promise<void> {
    for (const tenant of await this.reports.tenants()) await this.evaluate(tenant);
  }

  /** Checks one tenant now; returns the alerts that changed state. */
  async evaluate(tenant: string): Promise<AlertState[]> {
    const report = await this.reports.report(tenant);
    const checks = this.thresholds.check(report, await this.thresholds.of(tenant));
    const known = new Map(
      (await this.states(tenant)).map((s) => [`${s.alert}:${s.severity}`, s] as const),
    );
    const now = new Date().toISOString();
    const changed: AlertState[] = [];
    for (const check of checks) {
      for (const severity of ['critical', 'warning'] as const) {
        const threshold = check.thresholds[severity];
        if (threshold === undefined) continue;
        // One severity at a time: a critical check is not also a warning.
        const firing = check.status === severity.toUpperCase();
        const before = known.get(`${check.name}:${severity}`);
        if ((before?.firing ?? false) === firing) continue;
        changed.push({
          tenant,
          alert: check.name,
          severity,
          firing,
          value: check.value,
          threshold,
          since: firing ? now : (before?.since ?? now),
          changed_at: now,
        });
      }
    }
    if (changed.length === 0) return [];
    await this.publisher.publishMany(changed.map((state) => this.event(state, checks)));
    await this.db.query(
      `INSERT INTO alert_states (tenant, alert, severity, firing, value, threshold, since, changed_at)
       SELECT * FROM json_to_recordset($1::json) AS a(tenant text, alert text, severity text,
              firing boolean, value real, threshold real, since timestamptz, changed_at timestamptz)
       ON CONFLICT (tenant, alert, severity) DO UPDATE SET firing = EXCLUDED.firing,
         value = EXCLUDED.value, threshold = EXCLUDED.threshold, since = EXCLUDED.since,
         changed_at = EXCLUDED.changed_at`,
      [JSON.stringify(changed)],
    );
    for (const state of changed) {
      this.log.warn(
        `${tenant}: ${state.alert} ${state.severity} ${state.firing ? 'firing' : 'resolved'} (${state.value} against ${state.threshold})`,
      );
    }
    return changed;
  }

  /** Every alert the tenant has had, firing or not. */
  async states(tenant: string): Promise<AlertState[]> {
    const rows: AlertState[] = await this.db.query(
      `SELECT tenant, alert, severity, firing, value, threshold, since, changed_at
         FROM alert_states WHERE tenant = $1 ORDER BY alert, severity`,
      [tenant],
    );
    return rows.map((r) => ({
      ...r,
      since: new Date(r.since).toISOString(),
      changed_at: new Date(r.changed_at).toISOString(),
    }));
  }

  private event(state: AlertState, checks: ReturnType<Thresholds['check']>): PublishItem {
    const check = checks.find((c) => c.name === state.alert)!;
    const kind = state.firing ? 'firing' : 'resolved';
    return eventOf(
      'alerts.changed',
      {
        id: `alert:${state.tenant}:${state.alert}:${state.severity}:${kind}:${state.changed_at}`,
        tenant: state.tenant,
        occurred_at: state.changed_at,
        record_id: null,
        data: {
          alert: state.alert,
          severity: state.severity,
          state: kind,
          value: state.value,
          threshold: state.threshold,
          summary: `${state.tenant}: ${summaryOf(check, state.threshold)}`,
          runbook_url: runbookOf(state.alert, state.severity),
          since: state.since,
        },
      },
      { severity: state.severity },
    );
  }
}
