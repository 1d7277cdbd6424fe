import type { NatsConnection } from '@nats-io/transport-node';
import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import '../payload-rules/violation-metrics';
import { reprocessMetrics } from '../reprocess/reprocess-metrics';
import { registerRuleMetrics } from '../runs/run-metrics';
import { registerQualityMetrics } from './quality-metrics';

// The dashboards and alert rules query these by the names and labels the catalog lists.
it("registers the monitor's metrics of the catalog, with their types and labels", () => {
  // Registration is what is checked: nothing is collected, so there is no tenant to report on.
  const none = () => Promise.reject(new Error('no tenant to report on'));
  registerQualityMetrics(
    { tenants: async () => [], report: none, thresholds: none, alerts: none },
    {} as NatsConnection,
  );
  reprocessMetrics();
  registerRuleMetrics({ latestResults: async () => [] });
  expect(catalogMismatches(register, 'quality-monitor')).toEqual([]);
});
