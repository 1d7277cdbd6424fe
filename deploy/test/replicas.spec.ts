import { STAGES, subjectOf } from '@refinery/contracts';
import { pipelineEnv } from '@refinery/enrichment/testing';
import {
  deleteTenantConsumers,
  startServiceProcesses,
  storedMessages,
  TestTenants,
  waitFor,
  type ServiceProcess,
} from '@refinery/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { postEvents, seedEvents } from './support/http-events';

const RECORDS = 2_000;
const BATCH = 100;

/**
 * Two processes of ingestion and of each stage, sharing their durable consumers: one of each
 * is killed (SIGKILL) while records flow, and every record still completes exactly once.
 */
describe('replicas', () => {
  let nc: NatsConnection;
  let tenant: string;
  let apiKey: string;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    const tenants = await TestTenants.open();
    ({ slug: tenant, apiKey } = await tenants
      .create({ prefix: 'replicas' })
      .finally(() => tenants.close()));
    // A short ack wait: what the killed replicas held comes back within seconds.
    const env = pipelineEnv(tenant, { env: { ENRICHMENT_ACK_WAIT: '5s' } });
    const names = ['ingestion', ...STAGES];
    running.push(...(await startServiceProcesses([...names, ...names], env)));
    nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
  }, 90_000);
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await deleteTenantConsumers(nc, tenant);
    await nc?.close();
  });

  /** POSTs a batch to an ingestion that takes it, as a client behind a balancer does. */
  const post = (from: number, ingestions: ServiceProcess[], turn: number) => {
    const urls = ingestions.map((_, i) => ingestions[(turn + i) % ingestions.length].url);
    return postEvents(urls, apiKey, seedEvents(`${tenant}-${from}`, BATCH, from, 'replicas'), {
      retryMs: 100,
    });
  };

  it('completes every record exactly once when one replica of each service is killed mid-stream', async () => {
    const ingestions = running.filter((s) => s.name === 'ingestion');
    const victims = ['ingestion', ...STAGES].map((name) => running.find((s) => s.name === name)!);
    let killed = false;
    for (let from = 0, turn = 0; from < RECORDS; from += BATCH, turn++) {
      if (!killed && from >= RECORDS * 0.4) {
        // Mid-stream: records are in every stage's hands when their processes die.
        await Promise.all(victims.map((v) => v.kill()));
        killed = true;
      }
      await post(from, killed ? ingestions.slice(1) : ingestions, turn);
    }

    const completed = subjectOf('enrichment.completed', { tenant });
    const stored = await waitFor(async () => {
      const messages = await storedMessages<{ record_id: string }>(nc, 'ENRICHMENT', completed);
      return messages.length >= RECORDS && messages;
    }, 120_000);
    const ids = stored.map((m) => m.data.record_id);
    expect(ids).toHaveLength(RECORDS);
    expect(new Set(ids).size).toBe(RECORDS);
    // The survivors carried on by themselves.
    for (const survivor of running.filter((s) => !victims.includes(s))) {
      const ready = await fetch(`${survivor.url}/health/ready`);
      expect(ready.status).toBe(200);
    }
  }, 240_000);
});
