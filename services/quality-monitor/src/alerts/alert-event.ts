import { eventOf, type AlertSeverity } from '@refinery/contracts';
import type { PublishItem } from '@refinery/messaging';
import type { AlertState } from './alert-states.repository';
import { summaryOf, type CheckName, type CheckResult } from './checks';

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

/** alerts.<severity>.<tenant> for a change of state. */
export function alertEvent(state: AlertState, check: CheckResult): PublishItem {
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
