import type { NatsConnection } from '@nats-io/transport-node';
import { register } from 'prom-client';

import { messagingMetrics } from '../../libs/messaging/src/metrics/messaging-metrics';
import '../../libs/observability/src/metrics/init-metrics';
import '../../services/ingestion/src/records/ingest-metrics';
import { stageMetrics } from '../../libs/enrichment/src/stage-metrics';
import { registerQualityMetrics } from '../../services/quality-monitor/src/metrics/quality-metrics';
import '../../services/quality-monitor/src/payload-rules/violation-metrics';
import { reprocessMetrics } from '../../services/quality-monitor/src/reprocess/reprocess-metrics';
import { registerRuleMetrics } from '../../services/quality-monitor/src/runs/run-metrics';
import { REFINERY_METRICS } from './support/known-metrics';

// The dashboards and alerts are checked against support/known-metrics.ts; this keeps that
// list equal to what the code registers, so renaming a metric in code fails here first.

messagingMetrics();
stageMetrics();
// Collected below with no tenant to report on: registration is what is checked.
const none = () => Promise.reject(new Error('no tenant to report on'));
registerQualityMetrics(
  { tenants: async () => [], report: none, thresholds: none, alerts: none },
  {} as NatsConnection,
);
reprocessMetrics();
registerRuleMetrics({ latestResults: async () => [] });

describe('known metrics', () => {
  it.each(Object.entries(REFINERY_METRICS))(
    '%s is registered by the code with the same type and labels',
    (name, def) => {
      const metric = register.getSingleMetric(name);
      expect(metric).toBeDefined();
      const { labelNames = [] } = metric as unknown as { labelNames?: string[] };
      expect({
        type: metric?.constructor.name.toLowerCase(),
        labels: [...labelNames].sort(),
      }).toEqual({
        type: def.type,
        labels: [...def.labels].sort(),
      });
    },
  );

  it('lists every refinery_ metric the code registers', async () => {
    const registered = (await register.getMetricsAsJSON()).map((metric) => metric.name);
    expect(
      registered.filter((name) => name.startsWith('refinery_') && !(name in REFINERY_METRICS)),
    ).toEqual([]);
  });
});
