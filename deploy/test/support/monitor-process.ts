import { connect } from '@nats-io/transport-node';
import {
  deleteTenantConsumers,
  startServiceProcess,
  TestTenants,
  uniqueName,
} from '@refinery/testing';

/** The operator key of every service a test here starts. */
export const OPERATOR_KEY = TestTenants.operatorKey();

/**
 * The quality monitor as its own process, following one tenant (a fresh one unless
 * QUALITY_TENANT names it) with no grace period and nothing scheduled unless `env` says so;
 * `get` and `send` use the tenant's key, which has every tenant scope.
 */
export async function startMonitor(env: Record<string, string> = {}) {
  const tenant = env.QUALITY_TENANT ?? uniqueName('qm').replace('_', '-');
  const tenants = await TestTenants.open();
  const { apiKey } = await tenants.create({ slug: tenant }).finally(() => tenants.close());
  const service = await startServiceProcess('quality-monitor', {
    REFINERY_ADMIN_API_KEY: OPERATOR_KEY,
    QUALITY_TENANT: tenant,
    QUALITY_GRACE_SECONDS: '0',
    QUALITY_SWEEP_INTERVAL: '0',
    QUALITY_ALERT_INTERVAL: '0',
    QUALITY_RULES_INTERVAL: '0',
    ...env,
  });
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    ...service,
    tenant,
    apiKey,
    get: <T>(path: string) => call<T>('GET', path),
    send: <T>(method: 'POST' | 'PUT', path: string, body?: unknown) => call<T>(method, path, body),
    /** Stops the process and deletes the tenant's durable consumers it made. */
    async close() {
      await service.stop();
      const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
      await deleteTenantConsumers(nc, tenant).finally(() => nc.close());
    },
  };
}

export type Monitor = Awaited<ReturnType<typeof startMonitor>>;
