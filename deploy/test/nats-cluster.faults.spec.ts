import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STAGES, STREAMS, subjectOf, type EventPayload } from '@refinery/contracts';
import { ensureStreams } from '@refinery/messaging';
import {
  countMessages,
  eventually,
  startNatsCluster,
  startServiceProcess,
  storedMessages,
  TestTenants,
  waitFor,
  type NatsCluster,
  type NatsClusterNode,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import { postEvents, seedEvents } from './support/http-events';

/** What the scenario sends: a few thousand records, in batches at a steady pace. */
const RECORDS = 3_000;
const BATCH = 10;
const PACE_MS = 120;
/** When the node leading RECORDS and ENRICHMENT is killed, and how long it stays down. */
const KILL_AFTER_MS = 10_000;
const DOWN_FOR_MS = 15_000;
/** A client's wait before it sends a refused or failed request again (the same request). */
const CLIENT_RETRY_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Completed = EventPayload<'enrichment.completed'>;

/**
 * Moves ENRICHMENT's leadership until the node leading RECORDS leads it too: killing that node
 * then stops both the first write of every record and every stage's output at once.
 */
async function leadBothFromOneNode(cluster: NatsCluster, nc: NatsConnection): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const records = await waitFor(() => cluster.streamLeader('RECORDS'), 10_000);
    const enrichment = await waitFor(() => cluster.streamLeader('ENRICHMENT'), 10_000);
    if (records.name === enrichment.name) return;
    await nc.request('$JS.API.STREAM.LEADER.STEPDOWN.ENRICHMENT', undefined, { timeout: 5_000 });
    await eventually(
      async () => (await cluster.streamLeader('ENRICHMENT'))?.name !== enrichment.name,
      10_000,
      100,
    );
  }
  throw new Error('RECORDS and ENRICHMENT never had the same leader');
}

/**
 * A three-node JetStream cluster (deploy/nats/cluster) under the pipeline: ingestion, the three
 * stages and the quality monitor, each its own process connected to every node. The node that
 * leads RECORDS and ENRICHMENT is killed with SIGKILL while records arrive over HTTP, and
 * started again 15 s later. Every record must complete exactly once, the services must come through on their own,
 * and the test reports how long publishing stalled.
 */
describe('a NATS node killed under load', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let tenant: TestTenant;
  const services: ServiceProcess[] = [];
  const suiteStarted = Date.now();

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls.split(',') });
    await ensureStreams(nc, Object.values(STREAMS), {
      replicas: 3,
      logger: { log: () => undefined, warn: console.warn },
    });
    // Every node's URL, as NATS_URL in the deployment; the setting left to the automatic choice.
    const env = { NATS_URL: cluster.urls, REFINERY_ADMIN_API_KEY: TestTenants.operatorKey() };
    // Ingestion first: its migrations make the tenants' schema.
    services.push(await startServiceProcess('ingestion', env, 60_000));
    await leadBothFromOneNode(cluster, nc);
    const tenants = await TestTenants.open();
    tenant = await tenants
      .create({ prefix: 'faults', rateLimitPerS: 100_000 })
      .finally(() => tenants.close());
    const started = await Promise.allSettled([
      ...STAGES.map((stage) =>
        startServiceProcess(stage, { ...env, ENRICHMENT_TENANT: tenant.slug }, 60_000),
      ),
      startServiceProcess(
        'quality-monitor',
        {
          ...env,
          QUALITY_TENANT: tenant.slug,
          QUALITY_SWEEP_INTERVAL: '0',
          QUALITY_ALERT_INTERVAL: '0',
          QUALITY_RULES_INTERVAL: '0',
        },
        60_000,
      ),
    ]);
    for (const s of started) if (s.status === 'fulfilled') services.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await nc?.close();
    await cluster?.stop();
  });

  it('loses nothing, duplicates nothing, and the services reconnect by themselves', async () => {
    const began = Date.now();
    const ingestion = services.find((s) => s.name === 'ingestion')!;
    const run = `r${Date.now().toString(36)}`;
    const posted = new Set<string>();
    const acceptedAt: number[] = [];
    const refusals: string[] = [];
    let retries = 0;

    /** Sends the batch until ingestion takes it: the same body each time, as a client does. */
    const post = async (n: number) => {
      const events = seedEvents(`${run}-${n}`, BATCH, 1_000 + n, 'faults');
      const answer = await postEvents(ingestion.url, tenant.apiKey, events, {
        retryMs: CLIENT_RETRY_MS,
        timeoutMs: 60_000,
        onRetry: (status) => {
          retries++;
          refusals.push(String(status));
        },
      });
      acceptedAt.push(Date.now());
      for (const r of answer.results) {
        expect(['accepted', 'duplicate']).toContain(r.status);
        posted.add(r.id!);
      }
    };

    let killed: { node: NatsClusterNode; at: number; led: string[] } | undefined;
    let restartedAt = 0;
    const chaos = (async () => {
      await sleep(KILL_AFTER_MS);
      // The worst case: the node that takes every record's first write and every stage's output.
      const node = await waitFor(() => cluster.streamLeader('RECORDS'), 10_000);
      const led = ['RECORDS'];
      if ((await cluster.streamLeader('ENRICHMENT'))?.name === node.name) led.push('ENRICHMENT');
      if ((await cluster.metaLeader())?.name === node.name) led.push('meta');
      killed = { node, at: Date.now(), led };
      await node.kill('SIGKILL');
      await sleep(DOWN_FOR_MS);
      await node.restart();
      restartedAt = Date.now();
    })();

    const batches = RECORDS / BATCH;
    const sending: Promise<void>[] = [];
    const start = Date.now();
    for (let n = 0; n < batches; n++) {
      await sleep(Math.max(0, start + n * PACE_MS - Date.now()));
      sending.push(post(n));
    }
    await Promise.all(sending);
    await chaos;
    const postedAt = Date.now();
    expect(posted.size).toBe(RECORDS);

    // Every record through the three stages, then a moment for a late duplicate to show.
    const subject = subjectOf('enrichment.completed', { tenant: tenant.slug });
    await eventually(
      async () => (await countMessages(nc, 'ENRICHMENT', subject)) >= RECORDS,
      240_000,
      1_000,
    ).catch(() => undefined);
    const completedAt = Date.now();
    await sleep(3_000);
    const completed = await storedMessages<Completed>(nc, 'ENRICHMENT', subject);
    const times = new Map<string, number>();
    for (const m of completed)
      times.set(m.data.record_id!, (times.get(m.data.record_id!) ?? 0) + 1);
    const lost = [...posted].filter((id) => !times.has(id));
    const duplicates = [...times.values()].reduce((sum, n) => sum + n - 1, 0);
    const strangers = [...times.keys()].filter((id) => !posted.has(id));

    // The longest time without an accepted batch, against the same measure before the kill.
    const gaps = acceptedAt
      .sort((a, b) => a - b)
      .map((at, i, all) => ({ at, gap: i === 0 ? 0 : at - all[i - 1] }));
    const stall = Math.max(...gaps.map((g) => g.gap));
    const before = Math.max(...gaps.filter((g) => g.at < (killed?.at ?? 0)).map((g) => g.gap));

    // The restarted node caught up, and every stream has its three copies again.
    await eventually(() => killed?.node.healthy(), 60_000, 500);
    const jsm = await jetstreamManager(nc);
    for (const name of ['RECORDS', 'ENRICHMENT']) {
      await eventually(
        async () => {
          const info = await jsm.streams.info(name);
          const replicas = info.cluster?.replicas ?? [];
          return info.cluster?.leader && replicas.length === 2 && replicas.every((r) => r.current);
        },
        60_000,
        500,
      );
    }
    // Still the same processes, connected and ready: nobody restarted them.
    const ready = await Promise.all(
      services.map(async (s) => ({
        name: s.name,
        status: await fetch(`${s.url}/health/ready`)
          .then((r) => r.status)
          .catch(() => 0),
      })),
    );

    const report = {
      scenario: 'nats-node-killed',
      stall_ms: stall,
      records: posted.size,
      lost: lost.length,
      duplicates,
      http_retries: retries,
      refusals: [...new Set(refusals)],
      killed: killed?.node.name,
      killed_led: killed?.led,
      killed_at_ms: (killed?.at ?? began) - began,
      down_ms: restartedAt - (killed?.at ?? restartedAt),
      gap_before_kill_ms: before,
      posting_ms: postedAt - start,
      completed_after_posting_ms: completedAt - postedAt,
      run_ms: Date.now() - began,
      with_setup_ms: Date.now() - suiteStarted,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);

    expect(killed).toBeDefined();
    expect(strangers).toEqual([]);
    expect(lost).toEqual([]);
    expect(duplicates).toBe(0);
    expect(ready.filter((r) => r.status !== 200)).toEqual([]);
  });
});
