/**
 * `npm run bench:pipeline`: N records through ingestion (HTTP) and the three enrichment
 * stages, every service its own process, against a bare pipeline of the same hop count
 * measured in the same run. The last line printed is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { generateSeedSet } from '@refinery/ai';
import {
  ENRICHED_RECORD_TYPES,
  eventOf,
  filterOf,
  filterOfAll,
  receivedFilterOf,
  STAGE_EVENTS,
  STREAMS,
  subjectOf,
  tenantFilters,
  type EventPayload,
} from '@refinery/contracts';
import { connectNats, ensureStreams } from '@refinery/messaging';
import {
  countMessages,
  freePort,
  freshServicesDatabase,
  startNatsServer,
  type NatsServer,
} from '@refinery/testing';
import {
  benchServices,
  cpuMeter,
  pidsOf,
  createTenant,
  log,
  manifest,
  percentile,
  rate,
  root,
  sendBatches,
  startProcess,
  walMeter,
} from './support';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const WARMUP = Number(process.env.BENCH_WARMUP_RECORDS ?? 3_000);
const BATCH = 500;
/** The stages' batch size, and the bare hops': like for like. */
const STAGE_BATCH = process.env.ENRICHMENT_BATCH_SIZE ?? '500';
const HTTP_CONCURRENCY = 4;
/**
 * Records accepted but not yet completed, at most. Without a window the load generator
 * outruns the pipeline, and the latency figures only measure how long the queue it built is.
 */
const WINDOW = Number(process.env.BENCH_WINDOW ?? 10_000);
/** Give up waiting once no completed event has arrived for this long. */
const STALL_MS = 60_000;
const DATABASE = 'refinery_bench';
const run = randomBytes(4).toString('hex');
// Tenants of the run's own: stages consume only them, and the bare ones' subjects are purged
// after their measurement.
const tenant = `bench-${run}`;
const bareTenant = `bare-${run}`;
const observedTenant = `observed-${run}`;
const HOPS = 4;
/**
 * `BENCH_BARE_OBSERVER=1` also measures the bare hops with a bare observer of every hop,
 * consuming what the quality monitor consumes (records.received, the hops' events, the
 * completed events) and storing each in one multi-row insert: the ceiling of a pipeline that
 * is watched the way the real one is. The JSON line stays against the plain bare hops.
 */
const OBSERVED = process.env.BENCH_BARE_OBSERVER === '1';
/**
 * Services left out of the run (`BENCH_SKIP=quality-monitor` to see what the monitor's own
 * consumers cost; ingestion and the stages are the pipeline and cannot be left out), and
 * `BENCH_REPLICAS=2` to run every service as that many processes sharing its durable
 * consumers, the POSTs spread over the ingestion processes.
 */
const PIPELINE = ['ingestion', 'order-analysis', 'classification', 'resolution'];
const { skip: SKIP, replicas: REPLICAS, services, instances } = benchServices(PIPELINE);
if (OBSERVED && SKIP.has('quality-monitor'))
  throw new Error(
    'BENCH_BARE_OBSERVER=1 compares against a watched pipeline: it needs the quality monitor, which BENCH_SKIP leaves out',
  );
/** Seed records cycled with fresh ids: the real and the bare pipeline carry the same records. */
const seeds = generateSeedSet({ seed: 42, size: 5_000 }).map((e) => e.record);
/** What the services share: CPU they spend for the run shows up here too. */
const sharedProcesses = (nats: NatsServer) => ({
  // The run's own server, found by its store (its idle guard process matches too).
  'nats-server': () => pidsOf(nats.storeDir),
  postgres: () => pidsOf('postgres:'),
  bench: () => [process.pid],
});
type Shared = ReturnType<typeof sharedProcesses>;

/**
 * CPU per record of each process group, steadier from run to run than the rates are, and
 * the WAL Postgres wrote per record.
 */
function logCpu(what: string, used: Record<string, number>, walBytes: number, records: number) {
  const perRecord = (ms: number) => Math.round((ms * 1000) / Math.max(1, records));
  const total = Object.values(used).reduce((a, b) => a + b, 0);
  log(
    `${what} CPU per record: ${Object.entries(used)
      .map(([name, ms]) => `${name} ${perRecord(ms)} µs`)
      .join(
        ', ',
      )}; all ${perRecord(total)} µs; WAL ${Math.round(walBytes / Math.max(1, records))} bytes`,
  );
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Collects completed events on a subject: distinct records, repeats, and latencies. */
interface CompletedEvent {
  record_id: string;
  data: { input: { received_at: string } };
}

function collect(
  nc: NatsConnection,
  subject: string,
  latencyOf?: (event: CompletedEvent) => number,
) {
  const seen = new Set<string>();
  const latencies: number[] = [];
  const state = { repeats: 0, last: Date.now() };
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      const event = msg.json<CompletedEvent>();
      if (seen.has(event.record_id)) state.repeats++;
      seen.add(event.record_id);
      state.last = Date.now();
      if (latencyOf) latencies.push(latencyOf(event));
    },
  });
  /** Resolves once `count` distinct records were seen, or nothing arrived for STALL_MS. */
  const until = async (count: number) => {
    state.last = Date.now();
    while (seen.size < count && Date.now() - state.last < STALL_MS)
      await new Promise((r) => setTimeout(r, 50));
    return state.last;
  };
  /** Resolves once fewer than WINDOW of the `sent` records are still on their way. */
  const window = async (sent: () => number) => {
    while (sent() - seen.size >= WINDOW) await new Promise((r) => setTimeout(r, 5));
  };
  return { seen, latencies, state, until, window };
}

async function main() {
  // Every service's schema, pgvector for learning's among them, as `npm run setup` makes it.
  process.env.DATABASE_NAME = DATABASE;
  await freshServicesDatabase(DATABASE);
  // A nats-server of the run's own, and free ports: a platform running beside the bench neither
  // takes its messages nor leaves its monitor other tenants' backlog to work through.
  const nats = await startNatsServer();
  process.env.NATS_URL = nats.url;
  const nc = await connectNats({ servers: nats.url, name: 'bench' });
  const shared = sharedProcesses(nats);
  const ports: number[] = [];
  for (const _ of instances) ports.push(await freePort());
  // The bare hops run before any service has created the streams on a fresh server.
  await ensureStreams(nc, Object.values(STREAMS));
  const children: ChildProcess[] = [];
  try {
    const measureBare = async (hopsTenant: string, observe: boolean) => {
      try {
        return await barePipeline(nc, children, shared, hopsTenant, observe);
      } finally {
        for (const child of children.splice(0)) child.kill('SIGTERM');
        // Otherwise the quality monitor, which reads every tenant, spends the timed run
        // dead-lettering the bare hops' messages.
        await cleanUp(nc, [hopsTenant]);
      }
    };
    const bare = await measureBare(bareTenant, false);
    const observed = OBSERVED ? await measureBare(observedTenant, true) : 0;
    const real = await realPipeline(nc, children, shared, ports);
    const ratio = Math.round((real.completedPerS / bare) * 100) / 100;
    log(
      `pipeline: ${real.completedPerS} completed/s, ${Math.round(ratio * 100)}% of the bare ${HOPS}-hop limit of ${bare}/s (target: at least 60%, and 2,000/s at 100,000 records)`,
    );
    if (OBSERVED)
      log(
        `pipeline: ${Math.round((real.completedPerS / observed) * 100)}% of the bare ${HOPS}-hop limit with an observer, ${observed}/s`,
      );
    console.log(
      JSON.stringify({
        records: RECORDS,
        replicas: REPLICAS,
        completed_per_s: real.completedPerS,
        p50_ms: real.p50,
        p95_ms: real.p95,
        p99_ms: real.p99,
        lost: real.lost,
        duplicates: real.duplicates,
        bare_limit_per_s: bare,
        ratio,
      }),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    // Nothing to purge: the server, and everything the run left in it, goes now.
    await nc.close();
    await nats.stop();
  }
}

/** Ingestion and the three stages, fed over HTTP; latency is from accept to completed. */
async function realPipeline(
  nc: NatsConnection,
  children: ChildProcess[],
  shared: Shared,
  ports: number[],
) {
  const env = {
    DATABASE_NAME: DATABASE,
    ENRICHMENT_TENANT: tenant,
    ENRICHMENT_BATCH_SIZE: STAGE_BATCH,
  };
  for (const [i, service] of instances.entries())
    children.push(await startProcess(service.main, ports[i], env));
  const urls = instances.flatMap((s, i) =>
    s.name === 'ingestion' ? [`http://127.0.0.1:${ports[i]}`] : [],
  );
  const apiKey = await createTenant(tenant);

  const event = (i: number) => {
    const seed = seeds[i % seeds.length];
    return {
      type: seed.recordType,
      source: 'bench',
      external_id: `${run}-${i}`,
      occurred_at: new Date().toISOString(),
      data: seed.payload,
    };
  };
  const bodies = (from: number, count: number) =>
    Array.from({ length: Math.ceil(count / BATCH) }, (_, b) =>
      JSON.stringify({
        events: Array.from({ length: Math.min(BATCH, count - b * BATCH) }, (_, i) =>
          event(from + b * BATCH + i),
        ),
      }),
    );

  const completed = collect(
    nc,
    subjectOf('enrichment.completed', { tenant }),
    (e) => Date.now() - Date.parse(e.data.input.received_at),
  );
  // Untimed first: the figures should be of compiled code, not of the JIT warming up.
  await sendBatches(urls, bodies(0, WARMUP), apiKey, HTTP_CONCURRENCY);
  await completed.until(WARMUP);
  log(`warm-up: ${completed.seen.size} of ${WARMUP} records completed`);
  completed.latencies.length = 0;
  const before = completed.seen.size;

  const timed = bodies(WARMUP, RECORDS);
  let sent = completed.seen.size;
  const ready = async () => {
    await completed.window(() => sent);
    sent += BATCH;
  };
  const meter = cpuMeter({
    ...Object.fromEntries(
      services.map((s) => [
        s.name,
        () => instances.flatMap((x, i) => (x === s ? [children[i].pid!] : [])),
      ]),
    ),
    ...shared,
  });
  const wal = await walMeter();
  const started = Date.now();
  await sendBatches(urls, timed, apiKey, HTTP_CONCURRENCY, ready);
  log(
    `posted ${RECORDS} records in ${Date.now() - started} ms (${rate(RECORDS, Date.now() - started)}/s)`,
  );
  const last = await completed.until(before + RECORDS);
  const done = completed.seen.size - before;
  logCpu('pipeline', meter(), await wal(), done);
  await logBatchSizes(ports);
  const stored = await countMessages(
    nc,
    'ENRICHMENT',
    subjectOf('enrichment.completed', { tenant }),
  );
  const sorted = completed.latencies.sort((a, b) => a - b);
  const result = {
    completedPerS: rate(done, last - started),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    lost: RECORDS - done,
    // Repeats a subscriber saw, or the stream stored, whichever is more.
    duplicates: Math.max(completed.state.repeats, stored - completed.seen.size),
  };
  log(
    `pipeline: ${done} of ${RECORDS} completed in ${last - started} ms; latency p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms`,
  );
  return result;
}

/**
 * The same hop count with no logic: the bench publishes the same records as ingestion does,
 * then four bare hops (consume a batch, one multi-row insert, publish, ack), the last onto a
 * completed subject; with `observe`, bare observers follow them as the monitor's consumers do.
 */
async function barePipeline(
  nc: NatsConnection,
  children: ChildProcess[],
  shared: Shared,
  hopsTenant: string,
  observe: boolean,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const subjects = [
    subjectOf('records.received', { tenant: hopsTenant, type: 'order' }),
    ...Array.from({ length: HOPS - 1 }, (_, i) =>
      subjectOf('enrichment.done', { stage: `bare${i + 1}`, tenant: hopsTenant }),
    ),
    subjectOf('enrichment.completed', { tenant: hopsTenant }),
  ];
  const completed = collect(nc, subjects[HOPS]);
  for (let hop = 0; hop < HOPS; hop++) {
    const stream = hop === 0 ? 'RECORDS' : 'ENRICHMENT';
    const durable = `bare${hop}_${hopsTenant}`;
    children.push(await bareHop(jsm, stream, subjects[hop], durable, subjects[hop + 1]));
  }
  // The quality monitor's filters, for this tenant: received records one enriched type each.
  const observed = [
    ...ENRICHED_RECORD_TYPES.map((type) => ['RECORDS', receivedFilterOf(type, hopsTenant)]),
    ['ENRICHMENT', filterOfAll(STAGE_EVENTS, { tenant: hopsTenant })],
    ['ENRICHMENT', filterOf('enrichment.completed', { tenant: hopsTenant })],
  ];
  for (const [i, [stream, filter]] of (observe ? observed : []).entries())
    children.push(await bareHop(jsm, stream, filter, `bareobserver${i}_${hopsTenant}`));
  // Shaped like records.received, so each hop moves as many bytes as the stages get; built
  // before the clock starts, as the real pipeline's request bodies are.
  const records = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => {
      const id = randomUUID();
      const seed = seeds[(from + k) % seeds.length];
      const at = new Date().toISOString();
      const data = {
        record_type: seed.recordType,
        source: 'bench',
        external_id: `${run}-bare-${from + k}`,
        received_at: at,
        payload: seed.payload,
      } as EventPayload<'records.received'>['data'];
      const fields = { id: `${id}:received`, tenant: hopsTenant, occurred_at: at, record_id: id };
      const event = eventOf('records.received', { ...fields, data }, { type: seed.recordType });
      return { body: JSON.stringify(event.payload), msgID: event.msgId };
    });
  const js = jetstream(nc);
  const publish = async (from: number, built: { body: string; msgID: string }[]) => {
    for (let i = 0; i < built.length; i += BATCH) {
      await completed.window(() => from + i);
      await Promise.all(
        built
          .slice(i, i + BATCH)
          .map(({ body, msgID }) => js.publish(subjects[0], body, { msgID })),
      );
    }
  };
  await publish(0, records(0, WARMUP));
  await completed.until(WARMUP);
  const before = completed.seen.size;
  const timed = records(WARMUP, RECORDS);
  const meter = cpuMeter({
    'bare hops': () => children.map((child) => child.pid!),
    ...shared,
  });
  const wal = await walMeter();
  const started = Date.now();
  await publish(WARMUP, timed);
  const last = await completed.until(before + RECORDS);
  const done = completed.seen.size - before;
  const what = `bare ${HOPS}-hop pipeline${observe ? ' with an observer' : ''}`;
  logCpu(what, meter(), await wal(), done);
  const limit = rate(done, last - started);
  log(`${what}: ${done} of ${RECORDS} through in ${last - started} ms (${limit}/s)`);
  return limit;
}

/** One bare hop process on a durable of its own; without `to`, an observer that only stores. */
async function bareHop(
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  durable: string,
  to = '',
): Promise<ChildProcess> {
  await jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: filter,
    ack_policy: AckPolicy.Explicit,
  });
  return spawn(
    process.execPath,
    [...manifest.nodeFlags, join(root, 'dist/services/ingestion/bench/bare-hop.js')],
    {
      env: {
        ...process.env,
        DATABASE_NAME: DATABASE,
        BARE_STREAM: stream,
        BARE_DURABLE: durable,
        BARE_TO: to,
        BARE_TABLE: `public.${durable.replace(/\W/g, '_')}`,
        BARE_BATCH: STAGE_BATCH,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** Mean batch size per stage, from the stages' own metrics: small batches cost more per record. */
async function logBatchSizes(ports: number[]) {
  const sizes: string[] = [];
  for (const service of services) {
    const texts = await Promise.all(
      instances.flatMap((x, i) =>
        x === service ? [fetch(`http://127.0.0.1:${ports[i]}/metrics`).then((r) => r.text())] : [],
      ),
    );
    const total = (what: string) =>
      texts
        .flatMap((text) => [
          ...text.matchAll(new RegExp(`^refinery_batch_size_${what}\\{[^}]*\\} (\\S+)$`, 'gm')),
        ])
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    if (total('count') > 0)
      sizes.push(`${service.name} ${Math.round(total('sum') / total('count'))}`);
  }
  log(`mean batch size (whole run): ${sizes.join(', ')}`);
}

async function cleanUp(nc: NatsConnection, tenants: string[]) {
  const jsm = await jetstreamManager(nc);
  // Every event of the tenants, the monitor's backlog alerts too: nobody is left to resolve them.
  for (const { stream, filter } of tenants.flatMap(tenantFilters))
    await jsm.streams.purge(STREAMS[stream].name, { filter }).catch(() => undefined);
  for (const stream of ['RECORDS', 'ENRICHMENT'])
    for await (const info of jsm.consumers.list(stream))
      if (tenants.some((t) => info.name.endsWith(`_${t}`)))
        await jsm.consumers.delete(stream, info.name).catch(() => undefined);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
