import { connect } from '@nats-io/transport-node';
import {
  deleteTenantConsumers,
  startServiceProcesses,
  uniqueName,
  type ServiceProcess,
} from '@refinery/testing';
import { manifest } from './repo';

/**
 * Every service of deploy/services.json, each its own process. The stages, the monitor, the
 * dataset service and analytics follow one fresh tenant only: following every tenant, they would
 * take other suites' records.
 */
export async function startEveryService(env: Record<string, string> = {}) {
  const tenant = uniqueName('all').replace('_', '-');
  const started = await startServiceProcesses(
    manifest().map((service) => service.name),
    {
      ENRICHMENT_TENANT: tenant,
      QUALITY_TENANT: tenant,
      DATASETS_TENANT: tenant,
      ANALYTICS_TENANT: tenant,
      QUALITY_SWEEP_INTERVAL: '0',
      QUALITY_ALERT_INTERVAL: '0',
      QUALITY_RULES_INTERVAL: '0',
      ANALYTICS_REFRESH_INTERVAL: '0',
      ...env,
    },
  );
  const services: Record<string, ServiceProcess> = Object.fromEntries(
    started.map((service) => [service.name, service]),
  );
  return {
    services,
    async stop() {
      await Promise.all(started.map((service) => service.stop()));
      const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
      await deleteTenantConsumers(nc, tenant).finally(() => nc.close());
    },
  };
}

export type EveryService = Awaited<ReturnType<typeof startEveryService>>;
