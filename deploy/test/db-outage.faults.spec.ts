import { connect, type NatsConnection } from '@nats-io/transport-node';
import { filterOf, STAGES, subjectOf, type EventPayload } from '@refinery/contracts';
import {
  countMessages,
  deleteTenantConsumers,
  eventually,
  PostgresCluster,
  startServiceProcess,
  storedMessages,
  TestTenants,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import { postEvents, seedEvents } from './support/http-events';

/** Records arrive in small batches at a steady pace, before, during and after the outage. */
const BATCH = 5;
const PACE_MS = 500;
const OUTAGE_AFTER_MS = 10_000;
const OUTAGE_MS = 60_000;
const POSTING_MS = OUTAGE_AFTER_MS + OUTAGE_MS + 10_000;
/** How often the test asks every service under the outage for its health. */
const HEALTH_EVERY_MS = 500;
const DATABASE = 'refinery_test';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

type Completed = EventPayload<'enrichment.completed'>;
interface HealthSample {
  at: number;
  service: string;
  ready: number;
  live: number;
}

const statusOf = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3_000) })
    .then((res) => res.status)
    .catch(() => 0);

/**
 * The database of the three stages and the quality monitor, a PostgreSQL cluster of the test's
 * own, stopped for a minute while records keep arriving (ingestion stays on the machine's
 * server). Every record must complete exactly once, none dead-lettered and none using up a
 * retry: the consumers wait the outage out. Their /health/ready says 503 meanwhile and 200
 * after; /health/live stays 200, so nothing would restart them.
 */
describe('a database outage of a minute under load', () => {
  let cluster: PostgresCluster;
  let nc: NatsConnection;
  let tenant: TestTenant;
  let ingestion: ServiceProcess;
  const underOutage: ServiceProcess[] = [];
  /** A stage of another tenant's, stopped (SIGTERM) in the middle of the outage. */
  let stopped: { tenant: TestTenant; service: ServiceProcess };
  const suiteStarted = Date.now();

  beforeAll(async () => {
    cluster = await PostgresCluster.create({ prefix: 'refinery_outage' });
    await cluster.provision(DATABASE);
    nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
    ingestion = await startServiceProcess('ingestion', {}, 60_000);
    const tenants = await TestTenants.open();
    const [main, other] = await Promise.all([
      tenants.create({ prefix: 'outage', rateLimitPerS: 100_000 }),
      tenants.create({ prefix: 'outage-stop' }),
    ]).finally(() => tenants.close());
    tenant = main;
    const env = {
      ...cluster.env,
      DATABASE_NAME: DATABASE,
      ENRICHMENT_TENANT: tenant.slug,
      // Three attempts only: an outage that used retries up would dead-letter records.
      ENRICHMENT_RETRY_SCHEDULE: '1s,2s',
      ENRICHMENT_RETRY_JITTER: '0',
      QUALITY_TENANT: tenant.slug,
      QUALITY_SWEEP_INTERVAL: '0',
      QUALITY_ALERT_INTERVAL: '0',
      QUALITY_RULES_INTERVAL: '0',
    };
    const started = await Promise.allSettled([
      ...[...STAGES, 'quality-monitor'].map((name) => startServiceProcess(name, env, 60_000)),
      startServiceProcess('order-analysis', { ...env, ENRICHMENT_TENANT: other.slug }, 60_000),
    ]);
    const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (running.length === started.length) {
      stopped = { tenant: other, service: running.pop()! };
      underOutage.push(...running);
    }
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(running.map((s) => s.stop()));
      throw failed.reason;
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...underOutage, ingestion, stopped?.service].map((s) => s?.stop()));
    for (const slug of [tenant?.slug, stopped?.tenant.slug])
      if (nc && slug) await deleteTenantConsumers(nc, slug);
    await nc?.close();
    await cluster?.drop();
  });

  it('loses, duplicates and dead-letters nothing, and health follows the database', async () => {
    const began = Date.now();
    const run = `o${Date.now().toString(36)}`;
    const posted = new Set<string>();
    const dlqBefore = await countMessages(nc, 'DLQ', filterOf('dlq'));

    const post = async (n: number, as = tenant) => {
      const events = seedEvents(`${run}-${n}`, BATCH, 2_000 + n, 'faults');
      const answer = await postEvents(ingestion.url, as.apiKey, events);
      if (as === tenant) for (const r of answer.results) posted.add(r.id!);
    };

    const health: HealthSample[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const at = Date.now();
        health.push(
          ...(await Promise.all(
            underOutage.map(async (s) => ({
              at,
              service: s.name,
              ready: await statusOf(`${s.url}/health/ready`),
              live: await statusOf(`${s.url}/health/live`),
            })),
          )),
        );
        await sleep(Math.max(0, at + HEALTH_EVERY_MS - Date.now()));
      }
    })();

    let stoppedAt = 0;
    let startedAt = 0;
    let sigtermExitMs = 0;
    const outage = (async () => {
      await sleep(OUTAGE_AFTER_MS);
      stoppedAt = Date.now();
      await cluster.stop();
      // Halfway: the other tenant's stage, paused by the outage, is stopped as Kubernetes does.
      await sleep(OUTAGE_MS / 2);
      await post(1_000_000, stopped.tenant);
      await eventually(() => stopped.service.logs().includes('paused by an outage'), 10_000);
      const sigterm = Date.now();
      await stopped.service.stop();
      sigtermExitMs = Date.now() - sigterm;
      await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
      await cluster.start();
      startedAt = Date.now();
    })();

    const sending: Promise<void>[] = [];
    const start = Date.now();
    for (let n = 0; Date.now() - start < POSTING_MS; n++) {
      await sleep(Math.max(0, start + n * PACE_MS - Date.now()));
      sending.push(post(n));
    }
    await Promise.all(sending);
    await outage;
    const postedAt = Date.now();

    // Every record through the three stages, then a moment for a late duplicate to show.
    const subject = subjectOf('enrichment.completed', { tenant: tenant.slug });
    await eventually(
      async () => (await countMessages(nc, 'ENRICHMENT', subject)) >= posted.size,
      120_000,
      1_000,
    ).catch(() => undefined);
    const completedAt = Date.now();
    // Health settles: every service ready again.
    await eventually(
      () => health.length > 0 && lastSamples(health).every((s) => s.ready === 200),
      30_000,
      HEALTH_EVERY_MS,
    ).catch(() => undefined);
    await sleep(3_000);
    watching = false;
    await watch;

    const completed = await storedMessages<Completed>(nc, 'ENRICHMENT', subject);
    const times = new Map<string, number>();
    for (const m of completed)
      times.set(m.data.record_id!, (times.get(m.data.record_id!) ?? 0) + 1);
    const lost = [...posted].filter((id) => !times.has(id));
    const duplicates = [...times.values()].reduce((sum, n) => sum + n - 1, 0);
    const retried = completed.filter((m) =>
      Object.values(m.data.data.stages).some((report) => (report?.retry_count ?? 0) > 0),
    );
    const resumedAt = Math.min(
      ...completed.map((m) => Date.parse(m.data.data.completed_at)).filter((t) => t > startedAt),
    );
    const dlq = (await storedMessages<unknown>(nc, 'DLQ', filterOf('dlq'))).filter((m) =>
      (m.headers['Refinery-Dlq-Subject'] ?? '').includes(tenant.slug),
    );

    // Per service: not ready from its first 503 to its first 200 after the database came back.
    const perService = underOutage.map(({ name }) => {
      const mine = health.filter((s) => s.service === name);
      const down = mine.filter((s) => s.at >= stoppedAt && s.ready !== 200);
      const firstDown = down[0]?.at;
      const backAt = mine.find((s) => s.at >= startedAt && s.ready === 200)?.at;
      return {
        name,
        not_ready_s: firstDown && backAt ? seconds(backAt - firstDown) : null,
        not_ready_after_stop_s: firstDown ? seconds(firstDown - stoppedAt) : null,
        ready_after_start_s: backAt ? seconds(backAt - startedAt) : null,
        live_not_200: mine.filter((s) => s.live !== 200).length,
        ready_503_during_outage: down.filter((s) => s.at < startedAt && s.ready === 503).length,
      };
    });
    const paused = underOutage.filter((s) => s.logs().includes('paused by an outage'));

    // The monitor's projection (on the same cluster) holds every record.
    const db = await cluster.client(DATABASE);
    const projected = await db
      .query<{ count: string }>('SELECT count(*) FROM quality.record_states WHERE tenant = $1', [
        tenant.slug,
      ])
      .finally(() => db.end());

    const report = {
      scenario: 'database-outage',
      outage_s: seconds(startedAt - stoppedAt),
      records: posted.size,
      lost: lost.length,
      duplicates,
      dead_lettered: dlq.length,
      retried: retried.length,
      not_ready_s: Math.max(...perService.map((s) => s.not_ready_s ?? 0)),
      recovered_after_s: Math.max(...perService.map((s) => s.ready_after_start_s ?? Infinity)),
      processing_resumed_after_s: seconds(resumedAt - startedAt),
      completed_after_posting_s: seconds(completedAt - postedAt),
      paused_services: paused.map((s) => s.name),
      sigterm_during_outage_exit_ms: sigtermExitMs,
      monitor_projected: Number(projected.rows[0].count),
      dlq_total_delta: (await countMessages(nc, 'DLQ', filterOf('dlq'))) - dlqBefore,
      services: perService,
      run_s: seconds(Date.now() - began),
      with_setup_s: seconds(Date.now() - suiteStarted),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);

    try {
      expect(posted.size).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      expect(duplicates).toBe(0);
      expect(dlq).toEqual([]);
      // Nothing failed for the AI here: a retry could only have come from the outage.
      expect(retried.map((m) => m.data.record_id)).toEqual([]);
      expect(report.monitor_projected).toBe(posted.size);
      for (const service of perService) {
        expect(service).toMatchObject({ live_not_200: 0 });
        expect(service.ready_503_during_outage).toBeGreaterThan(0);
        expect(service.ready_after_start_s).not.toBeNull();
      }
      expect(paused.length).toBeGreaterThan(0);
      // Within Kubernetes' grace period (30 s), without waiting for the database.
      expect(sigtermExitMs).toBeLessThan(10_000);
      expect(stopped.service.logs()).toContain('stopping during an outage');
    } catch (error) {
      // What the services said (warnings and up) tells why.
      for (const s of [...underOutage, stopped.service])
        console.error(`----- ${s.name}\n${s.logs().slice(-8_000)}`);
      throw error;
    }
  });
});

/** Each service's latest health sample. */
function lastSamples(health: readonly HealthSample[]): HealthSample[] {
  const latest = new Map<string, HealthSample>();
  for (const sample of health) latest.set(sample.service, sample);
  return [...latest.values()];
}
