import { Injectable, Logger } from '@nestjs/common';
import { JetStreamPublisher } from '@refinery/messaging';
import { ListTenantsUseCase } from '../report/list-tenants.use-case';
import { alertEvent } from './alert-event';
import { AlertStatesRepository, type AlertState } from './alert-states.repository';
import { CheckHealthUseCase } from './check-health.use-case';
import type { CheckResult } from './checks';

/**
 * Checks a tenant and publishes each change on alerts.<severity>.<tenant>: `firing` when a
 * check crosses a threshold, `resolved` when it comes back. The state lives in the
 * database, so a restart announces nothing twice.
 */
@Injectable()
export class EvaluateAlertsUseCase {
  private readonly log = new Logger('Alerter');

  constructor(
    private readonly tenants: ListTenantsUseCase,
    private readonly health: CheckHealthUseCase,
    private readonly states: AlertStatesRepository,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async all(): Promise<void> {
    for (const tenant of await this.tenants.execute()) await this.execute(tenant);
  }

  /** Checks one tenant now; returns the alerts that changed state. */
  async execute(tenant: string): Promise<AlertState[]> {
    const checks = await this.health.checks(tenant);
    const changed = changesOf(tenant, checks, await this.states.list(tenant));
    if (changed.length === 0) return [];
    await this.publisher.publishMany(
      changed.map((state) =>
        alertEvent(
          state,
          checks.find((c) => c.name === state.alert)!,
        ),
      ),
    );
    await this.states.save(tenant, changed);
    for (const state of changed) {
      this.log.warn(
        `${tenant}: ${state.alert} ${state.severity} ${state.firing ? 'firing' : 'resolved'} (${state.value} against ${state.threshold})`,
      );
    }
    return changed;
  }
}

/** The alerts whose state the checks change; one severity at a time, never both. */
function changesOf(tenant: string, checks: CheckResult[], states: AlertState[]): AlertState[] {
  const known = new Map(states.map((s) => [`${s.alert}:${s.severity}`, s] as const));
  const now = new Date().toISOString();
  const changed: AlertState[] = [];
  for (const check of checks) {
    for (const severity of ['critical', 'warning'] as const) {
      const threshold = check.thresholds[severity];
      if (threshold === undefined) continue;
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
  return changed;
}
