/**
 * `npm run bench:soak`: the whole platform at half its measured capacity for a set time, fed
 * datagen's ecomm traffic: every service its own process, as in bench:pipeline. After a warm-up
 * it samples each service's RSS and the latency of the records completed in each interval,
 * then checks that nothing was lost or duplicated, that RSS held its level and p99 stayed
 * put; it writes a plot (PNG, SVG) and the samples (CSV). The last line printed is one JSON
 * object; the exit code is 1 when a criterion failed.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  generate,
  HttpPublisher,
  loadSchema,
  type DatagenSchema,
  type EventPublisher,
  type GeneratedEvent,
  type PublishSummary,
  type TypeCounts,
} from '@refinery/datagen';
import { connectNats } from '@refinery/messaging';
import { subjectOf } from '@refinery/contracts';
import {
  adminClient,
  countMessages,
  freePort,
  freshServicesDatabase,
  machine,
  median,
  startNatsServer,
} from '@refinery/testing';
import {
  benchServices,
  cpuMeter,
  createTenant,
  log,
  percentile,
  pidsOf,
  root,
  rssKb,
  startProcess,
  watchCompleted,
} from './support';
import { writeSoakPlot, type SoakSample } from './soak-plot';

/**
 * What "half its measured capacity" is half of: two-minute overload probes of this bench's own
 * traffic (orders and exceptions with transcripts and track calls beside them) completed 790 -
 * 905 records/s on the 2-core machine (README, Soak). bench:pipeline's orders alone go faster.
 */
const CAPACITY_PER_S = 800;
const CAPACITY_OF =
  'overload probes of the soak traffic: 790 - 905 completed/s on the 2-core machine (README, Soak)';

function setting(name: string, fallback: number, min = Number.MIN_VALUE): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(
      `${name}: ${min === Number.MIN_VALUE ? 'a positive number' : `a number of at least ${min}`}, not "${raw}"`,
    );
  return value;
}

/** Records through enrichment (orders and exceptions) per second; the rest comes on top. */
const RATE = setting('SOAK_RATE', CAPACITY_PER_S / 2);
const MINUTES = setting('SOAK_MINUTES', 30);
/**
 * Ingestion lets go of its start-up heap 4.5 - 5 minutes in: a shorter warm-up sets its RSS
 * level before the fall, and the fall fails the RSS bound.
 */
const WARMUP_MINUTES = setting('SOAK_WARMUP_MINUTES', 6, 0);
/** 30 s, or less for a short run, so that it has about 20 samples. */
const INTERVAL_S = setting('SOAK_INTERVAL_S', Math.min(30, Math.max(5, (MINUTES * 60) / 20)));
const PLOT = process.env.SOAK_PLOT
  ? resolve(process.env.SOAK_PLOT)
  : join(root, 'docs/images/soak.png');
const SEED = setting('SOAK_SEED', 7, 0);
const SCHEMA = 'ecomm';
/**
 * The event types sent, of those the schema makes (order, exception, transcript, track); the
 * others are generated and dropped. `SOAK_TYPES=order,exception` is bench:pipeline's traffic.
 */
const TYPES = process.env.SOAK_TYPES?.split(',').filter(Boolean);
const DATABASE = 'refinery_bench_soak';
/** Give up waiting for the last records (or track calls) once nothing arrived for this long. */
const STALL_MS = 60_000;

// The criteria.
/** A service's RSS level at the end may differ from its level after warm-up by this much. */
const RSS_BOUND = 0.1;
/**
 * A level: the median of the soak's first (or last) tenth of samples, at least 3 of them (a
 * minute and a half): one collection's swing, or a heap's growth and shrinking, does not make it.
 */
const LEVEL_SHARE = 0.1;
const LEVEL_SAMPLES = 3;
/** The last third's p99 may be this many times the first third's, or P99_SLACK_MS above it. */
const P99_BOUND = 1.5;
const P99_SLACK_MS = 100;
/** The records completed per second over the soak, at least this share of SOAK_RATE. */
const RATE_FLOOR = 0.95;

const PIPELINE = ['ingestion', 'order-analysis', 'classification', 'resolution'];
const ENRICHED = ['order', 'exception'];
const run = randomBytes(4).toString('hex');
const tenant = `soak-${run}`;

class Stopped extends Error {}

const zero: TypeCounts = { sent: 0, accepted: 0, rejected: 0, duplicates: 0, skipped: 0 };

/**
 * Datagen's events, spread over the ingestion processes' publishers until `stop()`: the
 * generator then ends at its next pause, and `close()` sends what is still queued.
 */
class Traffic implements EventPublisher {
  private stopped = false;
  private next = 0;

  constructor(
    readonly publishers: HttpPublisher[],
    private readonly types: ReadonlySet<string>,
  ) {}

  publish(event: GeneratedEvent): void {
    if (!this.types.has(event.type)) return;
    this.publishers[this.next++ % this.publishers.length].publish(event);
  }

  pause(): Promise<void> | undefined {
    if (this.stopped) return Promise.reject(new Stopped());
    const waits = this.publishers.map((p) => p.pause()).filter((w) => w !== undefined);
    return waits.length > 0 ? Promise.all(waits).then(() => undefined) : undefined;
  }

  /** Events ingestion accepted so far, of every type. */
  accepted(): number {
    return this.publishers.reduce((sum, p) => sum + p.counts().accepted, 0);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Per type, summed over the publishers. */
  async close(): Promise<PublishSummary> {
    const summaries = await Promise.all(this.publishers.map((p) => p.close()));
    const byType: Record<string, TypeCounts> = {};
    for (const summary of summaries)
      for (const [type, counts] of Object.entries(summary.by_type)) {
        const sum = (byType[type] ??= { ...zero });
        for (const key of Object.keys(zero) as (keyof TypeCounts)[]) sum[key] += counts[key];
      }
    const total = (key: keyof TypeCounts) => summaries.reduce((sum, s) => sum + s[key], 0);
    return {
      target: summaries.map((s) => s.target).join(', '),
      sent: total('sent'),
      accepted: total('accepted'),
      rejected: total('rejected'),
      duplicates: total('duplicates'),
      skipped: total('skipped'),
      by_type: byType,
      seconds: Math.max(...summaries.map((s) => s.seconds)),
    };
  }
}

/** The schema's events per type, from a short dry run: the proportions the soak sends. */
async function mixOf(schema: DatagenSchema): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await generate({
    schema,
    seed: SEED,
    rows: 100_000,
    publisher: {
      publish: (event) => void (counts[event.type] = (counts[event.type] ?? 0) + 1),
      pause: () => undefined,
      close: async () => ({ target: 'count', ...zero, by_type: {}, seconds: 0 }),
    },
  });
  return counts;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sortNumbers = (xs: number[]) => xs.sort((a, b) => a - b);
const mb = (pids: number[]) => round(pids.reduce((sum, pid) => sum + rssKb(pid), 0) / 1024);

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

async function main() {
  const { services, instances, replicas } = benchServices(PIPELINE);
  const schema = loadSchema(SCHEMA);
  const made = await mixOf(schema);
  const types = new Set(TYPES ?? Object.keys(made));
  if (![...types].every((type) => type in made) || !ENRICHED.some((type) => types.has(type)))
    throw new Error(
      `SOAK_TYPES: types ${SCHEMA} makes (${Object.keys(made).join(', ')}), ${ENRICHED.join(' or ')} among them, not "${process.env.SOAK_TYPES}"`,
    );
  const mix = Object.fromEntries(Object.entries(made).filter(([type]) => types.has(type)));
  const events = Object.values(mix).reduce((a, b) => a + b, 0);
  const enriched = ENRICHED.reduce((sum, type) => sum + (mix[type] ?? 0), 0);
  const eventsPerS = (RATE * events) / enriched;
  const perS = (type: string) => Math.round((RATE * (mix[type] ?? 0)) / enriched);
  log(
    `${RATE} records/s through enrichment, ${Math.round((RATE / CAPACITY_PER_S) * 100)}% of ${CAPACITY_PER_S.toLocaleString('en')}/s, the capacity measured by ${CAPACITY_OF}`,
  );
  log(
    `traffic: datagen ${SCHEMA} (seed ${SEED}) in its own proportions, ${Object.keys(mix)
      .sort()
      .map((type) => `${type} ${perS(type)}/s`)
      .join(', ')}: ${Math.round(eventsPerS).toLocaleString('en')} events/s into ingestion`,
  );
  const intervals = Math.ceil(((WARMUP_MINUTES + MINUTES) * 60) / INTERVAL_S);
  log(
    `warm-up ${WARMUP_MINUTES} min, soak ${MINUTES} min, a sample every ${INTERVAL_S} s (${intervals} in all)`,
  );

  process.env.DATABASE_NAME = DATABASE;
  await freshServicesDatabase(DATABASE);
  const nats = await startNatsServer();
  process.env.NATS_URL = nats.url;
  const nc = await connectNats({ servers: nats.url, name: 'bench-soak' });
  const children: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (const _ of instances) ports.push(await freePort());
    // A soak keeps far more than the default stream limits hold (sized for a 10 GiB volume,
    // docs/streams.md): at 1,000 records/s ENRICHMENT would be full within minutes.
    const unlimited = Object.fromEntries(
      ['RECORDS', 'ENRICHMENT', 'LEARNING'].flatMap((stream) =>
        ['MAX_BYTES', 'MAX_MSGS'].map((limit) => [`NATS_STREAM_${stream}_${limit}`, 'none']),
      ),
    );
    const env = { DATABASE_NAME: DATABASE, ENRICHMENT_TENANT: tenant, ...unlimited };
    for (const [i, service] of instances.entries())
      children.push(await startProcess(service.main, ports[i], env));
    const pidsOfService = (name: string) =>
      instances.flatMap((s, i) => (s.name === name ? [children[i].pid!] : []));
    // The run's own server, found by its store; not the guard process around it.
    const natsPids = pidsOf(nats.storeDir).filter((pid) => comm(pid) === 'nats-server');
    const apiKey = await createTenant(tenant);
    const completed = watchCompleted(nc, tenant);

    const urls = instances.flatMap((s, i) =>
      s.name === 'ingestion' ? [`http://127.0.0.1:${ports[i]}`] : [],
    );
    const traffic = new Traffic(
      // Twice the default requests in flight: an answer slow to come must not lower the rate.
      urls.map(
        (baseUrl) =>
          new HttpPublisher({ baseUrl, apiKey, rate: eventsPerS / urls.length, concurrency: 8 }),
      ),
      types,
    );
    let failure: unknown;
    const started = Date.now();
    const generating = generate({
      schema,
      seed: SEED,
      rows: Number.MAX_SAFE_INTEGER,
      publisher: traffic,
    }).then(
      () => (failure ??= new Error('datagen ran out of rows')),
      (error: unknown) => {
        if (!(error instanceof Stopped)) failure ??= error;
      },
    );

    const samples: SoakSample[] = [];
    /** The latencies of each soak interval, sorted, in the order of the samples. */
    const soakLatencies: number[][] = [];
    const warmupS = WARMUP_MINUTES * 60;
    let accepted = 0;
    /** CPU per process group over the soak, from the end of the warm-up on. */
    const meterCpu = () =>
      cpuMeter({
        ...Object.fromEntries(services.map((s) => [s.name, () => pidsOfService(s.name)])),
        'nats-server': () => natsPids,
        // The backends serving the run's database; not the server's own background processes.
        postgres: () => pidsOf(` ${DATABASE} `),
        bench: () => [process.pid],
      });
    let cpu = warmupS > 0 ? undefined : meterCpu();
    let done = 0;
    for (let k = 1; k <= intervals; k++) {
      await sleep(Math.max(0, started + k * INTERVAL_S * 1000 - Date.now()));
      if (failure) throw failure;
      const latencies = sortNumbers(completed.latencies.splice(0));
      const phase = (k - 1) * INTERVAL_S >= warmupS ? 'soak' : 'warm-up';
      if (phase === 'soak') soakLatencies.push(latencies);
      const sample: SoakSample = {
        t_s: round((Date.now() - started) / 1000),
        phase,
        accepted_per_s: Math.round((traffic.accepted() - accepted) / INTERVAL_S),
        completed_per_s: Math.round((completed.seen.size - done) / INTERVAL_S),
        p50_ms: latencies.length > 0 ? percentile(latencies, 50) : null,
        p99_ms: latencies.length > 0 ? percentile(latencies, 99) : null,
        rss_mb: Object.fromEntries(services.map((s) => [s.name, mb(pidsOfService(s.name))])),
        nats_server_rss_mb: mb(natsPids),
      };
      accepted = traffic.accepted();
      done = completed.seen.size;
      samples.push(sample);
      if (!cpu && k * INTERVAL_S >= warmupS) cpu = meterCpu();
      log(
        `${(sample.t_s / 60).toFixed(1)} min ${phase}: ${sample.accepted_per_s} accepted/s, ${sample.completed_per_s} completed/s, p50 ${sample.p50_ms} ms, p99 ${sample.p99_ms} ms; RSS MB ${Object.entries(
          sample.rss_mb,
        )
          .map(([name, rss]) => `${name} ${rss}`)
          .join(', ')}, nats-server ${sample.nats_server_rss_mb}`,
      );
    }
    const soakS = samples.filter((s) => s.phase === 'soak').length * INTERVAL_S;
    const cpuPct = Object.fromEntries(
      Object.entries(cpu?.() ?? {}).map(([name, ms]) => [name, Math.round(ms / (soakS * 10))]),
    );
    const cpuAll = Object.entries(cpuPct)
      .filter(([name]) => name !== 'bench')
      .reduce((sum, [, pct]) => sum + pct, 0);
    log(
      `CPU over the soak, % of one core: ${Object.entries(cpuPct)
        .map(([name, pct]) => `${name} ${pct}`)
        .join(
          ', ',
        )}; the platform ${cpuAll}, ${Math.round(cpuAll / machine().cpus)}% of the machine's ${machine().cpus} cores`,
    );
    const completedInSoak = samples
      .filter((s) => s.phase === 'soak')
      .reduce((sum, s) => sum + s.completed_per_s * INTERVAL_S, 0);

    // The end: no more traffic; what was accepted has a minute of silence to complete.
    traffic.stop();
    await generating;
    if (failure) throw failure;
    const summary = await traffic.close();
    const acceptedOf = (type: string) => summary.by_type[type]?.accepted ?? 0;
    const records = ENRICHED.reduce((sum, type) => sum + acceptedOf(type), 0);
    await completed.until(records, STALL_MS);
    const stored = await countMessages(
      nc,
      'ENRICHMENT',
      subjectOf('enrichment.completed', { tenant }),
    );
    const calls = acceptedOf('track') + acceptedOf('identify');
    // Analytics stores the track calls; with BENCH_SKIP=analytics nobody does.
    const callsStored = services.some((s) => s.name === 'analytics')
      ? await storedCalls(calls)
      : calls;
    const lost = records - completed.seen.size;
    const lostCalls = calls - callsStored;
    // Repeats a subscriber saw, or the stream stored, whichever is more.
    const duplicates = Math.max(completed.state.repeats, stored - completed.seen.size);

    // RSS: each service's level after warm-up against its level at the end.
    const soak = samples.filter((s) => s.phase === 'soak');
    const level = Math.max(
      1,
      Math.min(
        Math.max(LEVEL_SAMPLES, Math.round(soak.length * LEVEL_SHARE)),
        Math.floor(soak.length / 2),
      ),
    );
    const rss = Object.fromEntries(
      services.map((s) => {
        const series = soak.map((x) => x.rss_mb[s.name]);
        const after = median(series.slice(0, level));
        const end = median(series.slice(-level));
        const worst = Math.max(...series.map((v) => Math.abs(v - after)));
        return [
          s.name,
          {
            after_warmup_mb: after,
            end_mb: end,
            change_pct: round(((end - after) / after) * 100),
            max_deviation_pct: round((worst / after) * 100),
          },
        ];
      }),
    );
    const rssPass = Object.values(rss).every((r) => Math.abs(r.change_pct) <= RSS_BOUND * 100);

    // p99: the soak's first third against its last, each pooled over its intervals.
    const third = Math.max(1, Math.floor(soakLatencies.length / 3));
    const pooled = (lists: number[][]) => sortNumbers(lists.flat());
    const p99First = percentile(pooled(soakLatencies.slice(0, third)), 99);
    const p99Last = percentile(pooled(soakLatencies.slice(-third)), 99);
    const all = pooled(soakLatencies);
    const p99Pass = p99Last <= Math.max(p99First * P99_BOUND, p99First + P99_SLACK_MS);
    const completedPerS = Math.round(completedInSoak / soakS);

    const pass = {
      lost: lost === 0 && lostCalls === 0,
      duplicates: duplicates === 0,
      rss: rssPass,
      p99: p99Pass,
      rate: completedPerS >= RATE * RATE_FLOOR,
    };
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    log(
      `${verdict(pass.lost)} lost: ${lost} of ${records} records never completed, ${lostCalls} of ${calls} track calls not stored by analytics`,
    );
    log(
      `${verdict(pass.duplicates)} duplicated: ${duplicates} (record ids of enrichment.completed seen or stored more than once)`,
    );
    log(
      `${verdict(pass.rss)} RSS within ${RSS_BOUND * 100}%: the median of the last ${level} samples against that of the first ${level} after warm-up: ${Object.entries(
        rss,
      )
        .map(
          ([name, r]) =>
            `${name} ${r.after_warmup_mb} -> ${r.end_mb} MB (${r.change_pct > 0 ? '+' : ''}${r.change_pct}%)`,
        )
        .join(', ')}`,
    );
    log(
      `${verdict(pass.p99)} p99 stable: last third ${p99Last} ms against first third ${p99First} ms (at most ${P99_BOUND}x, or ${P99_SLACK_MS} ms more)`,
    );
    log(
      `${verdict(pass.rate)} rate held: ${completedPerS} completed/s over the soak (at least ${RATE_FLOOR * 100}% of ${RATE})`,
    );

    const passed = Object.values(pass).every(Boolean);
    const files = await writeSoakPlot({
      path: PLOT,
      title: `bench:soak: ${RATE.toLocaleString('en')} records/s through enrichment (${Math.round((RATE / CAPACITY_PER_S) * 100)}% of ~${CAPACITY_PER_S.toLocaleString('en')}/s), ${Math.round(eventsPerS).toLocaleString('en')} events/s in all`,
      subtitle: `${MINUTES} min after ${WARMUP_MINUTES} min warm-up, datagen ${SCHEMA}; lost ${lost + lostCalls}, duplicated ${duplicates}, RSS within ${RSS_BOUND * 100}%: ${rssPass ? 'yes' : 'no'}, p99 last/first third ${p99Last}/${p99First} ms: ${verdict(p99Pass)}; ${machine().cpus} cores`,
      samples,
      services: services.map((s) => s.name),
      warmupS,
    });
    log(`wrote ${files.map(shown).join(', ')}`);

    console.log(
      JSON.stringify({
        rate_per_s: RATE,
        capacity_per_s: CAPACITY_PER_S,
        capacity_of: CAPACITY_OF,
        events_per_s: Math.round(eventsPerS),
        types: Object.keys(mix).sort(),
        minutes: MINUTES,
        warmup_minutes: WARMUP_MINUTES,
        interval_s: INTERVAL_S,
        replicas,
        accepted: Object.fromEntries(Object.keys(summary.by_type).map((t) => [t, acceptedOf(t)])),
        rejected: summary.rejected,
        completed_per_s: completedPerS,
        records,
        lost,
        lost_calls: lostCalls,
        duplicates,
        p50_ms: percentile(all, 50),
        p99_ms: percentile(all, 99),
        p99_first_third_ms: p99First,
        p99_last_third_ms: p99Last,
        p99_max_interval_ms: Math.max(0, ...soak.map((s) => s.p99_ms ?? 0)),
        rss,
        nats_server_rss_mb: {
          after_warmup: soak[0]?.nats_server_rss_mb,
          end: soak.at(-1)?.nats_server_rss_mb,
        },
        cpu_pct: cpuPct,
        cpu_platform_pct: cpuAll,
        pass,
        passed,
        plot: shown(files[0]),
        machine: machine(),
      }),
    );
    if (!passed) process.exitCode = 1;
  } finally {
    // The services first, so that none logs the server going away under it.
    await Promise.all(children.map(stop));
    await nc.close();
    await nats.stop();
  }
}

/** A path inside the repository relative to its root, others as they are. */
function shown(path: string): string {
  const inside = relative(root, path);
  return inside.startsWith('..') ? path : inside;
}

/** SIGTERM, and SIGKILL if the process has not exited 10 s later. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Track calls analytics stored for the tenant, once it has them all or stalls. */
async function storedCalls(expected: number): Promise<number> {
  const db = await adminClient(DATABASE);
  try {
    let last = -1;
    let changed = Date.now();
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM analytics.events WHERE tenant = $1 AND kind IN ('track', 'identify')`,
        [tenant],
      );
      const n = rows[0].n;
      if (n >= expected || Date.now() - changed > STALL_MS) return n;
      if (n !== last) [last, changed] = [n, Date.now()];
      await sleep(500);
    }
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
