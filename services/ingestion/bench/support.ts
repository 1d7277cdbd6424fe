import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { subjectOf } from '@refinery/contracts';
import {
  adminConfigFromEnv,
  findWorkspaceRoot,
  provisionDatabase,
  readServicesManifest,
} from '@refinery/persistence';
import { AuthRepository } from '@refinery/runtime';
import { eventually } from '@refinery/testing';
import { createServiceDataSource } from '../src/data-source';

export const root = findWorkspaceRoot(__dirname);
// Services run the way the launcher runs them, with the same Node flags.
export const manifest = readServicesManifest(join(root, 'deploy/services.json'));

export const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const log = (msg: string) => console.error(`[bench] ${msg}`);

/**
 * Each run starts from an empty database, with a role and schema per service: tables grown
 * by earlier runs skew the figures. Services started afterwards use it.
 */
export async function freshDatabase(database: string, schemas: string[]): Promise<void> {
  process.env.DATABASE_NAME = database;
  await dropDatabase(database);
  await provisionDatabase({
    admin: adminConfigFromEnv(),
    database,
    schemas,
    extensions: [],
    // Tenants and keys live in the shared schema ingestion owns, as in the platform.
    shared: { schema: 'auth', ownerSchema: 'ingestion' },
  });
}

/** Runs `work` on a short-lived admin connection to the `postgres` maintenance database. */
async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const admin = adminConfigFromEnv();
  const client = new Client({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(database: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${database}`));
}

/** A tenant with a rate limit the bench cannot reach; returns its API key. */
export async function createTenant(slug: string): Promise<string> {
  const db = await createServiceDataSource().initialize();
  try {
    const auth = new AuthRepository(db);
    await auth.createTenant(slug, { rateLimitPerS: 10_000_000 });
    return (await auth.createKey(slug, ['ingest', 'read'])).key;
  } finally {
    await db.destroy();
  }
}

/** Starts a compiled script (a service's main) and waits until it answers /health/ready. */
export async function startProcess(
  main: string,
  port: number,
  env: Record<string, string>,
): Promise<ChildProcess> {
  // BENCH_NODE_FLAGS (e.g. --cpu-prof) goes to every service, for looking into a run.
  const extra = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...manifest.nodeFlags, ...extra, join(root, main)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${main} exited with ${child.exitCode}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.ok;
      },
      60_000,
      250,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

/**
 * POSTs the bodies to /v1/events, a few at a time, and insists every event was accepted.
 * `ready`, when given, is awaited before each POST: a window on the records in flight.
 * Several URLs (ingestion replicas) take the batches in turn.
 */
export async function sendBatches(
  url: string | string[],
  bodies: string[],
  apiKey: string,
  concurrency: number,
  ready?: () => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const b = next++;
        await ready?.();
        const target = typeof url === 'string' ? url : url[b % url.length];
        const res = await fetch(`${target}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: bodies[b],
        });
        const body = (await res.json()) as { accepted?: number; results?: unknown[] };
        if (res.status !== 202 || body.accepted !== body.results?.length)
          throw new Error(`batch ${b}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
    }),
  );
}

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The pids whose command line contains `pattern` (nats-server, postgres backends). */
export function pidsOf(pattern: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pattern);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU used per named process group between two calls of the returned function. */
export function cpuMeter(groups: Record<string, () => number[]>) {
  const read = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        pids().reduce((sum, pid) => sum + cpuMs(pid), 0),
      ]),
    );
  const before = read();
  return () => {
    const after = read();
    return Object.fromEntries(
      Object.keys(groups).map((name) => [name, after[name] - before[name]]),
    );
  };
}

/**
 * WAL the server wrote between two calls of the returned function, in bytes. It drives
 * Postgres's share of the CPU: past max_wal_size every byte brings a checkpoint nearer, and
 * after one each page touched first is written whole.
 */
export async function walMeter(): Promise<() => Promise<number>> {
  const lsn = () =>
    withAdminClient(async (client) => {
      const { rows } = await client.query<{ lsn: string }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn`,
      );
      return Number(rows[0].lsn);
    });
  const before = await lsn();
  return async () => (await lsn()) - before;
}

/** Resident memory of a process (VmRSS), in kB; 0 once it is gone. */
export function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The value below which `p` percent of `sorted` (ascending) lie; 0 for none. */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * The services a bench runs, from BENCH_SKIP (services left out; the pipeline, `required`,
 * cannot be) and BENCH_REPLICAS (processes per service, 1 to 8), and every process to start:
 * each service, `replicas` times.
 */
export function benchServices(required: readonly string[]) {
  const skip = new Set(process.env.BENCH_SKIP?.split(',').filter(Boolean) ?? []);
  for (const name of skip)
    if (required.includes(name) || !manifest.services.some((s) => s.name === name))
      throw new Error(
        `BENCH_SKIP: "${name}" cannot be left out; these can: ${manifest.services
          .map((s) => s.name)
          .filter((n) => !required.includes(n))
          .join(', ')}`,
      );
  const replicas = Number(process.env.BENCH_REPLICAS ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8)
    throw new Error(
      `BENCH_REPLICAS: a whole number from 1 to 8, not "${process.env.BENCH_REPLICAS}"`,
    );
  const services = manifest.services.filter((s) => !skip.has(s.name));
  const instances = services.flatMap((service) => Array.from({ length: replicas }, () => service));
  return { skip, replicas, services, instances };
}

/**
 * A tenant's enrichment.completed events as a plain subscriber sees them: the distinct records,
 * how often one came again, and each one's latency from ingestion's `received_at` to its
 * arrival here (the caller takes them out as it goes).
 */
export function watchCompleted(nc: NatsConnection, tenant: string) {
  const seen = new Set<string>();
  const latencies: number[] = [];
  const state = { repeats: 0, last: Date.now() };
  nc.subscribe(subjectOf('enrichment.completed', { tenant }), {
    callback: (_err, msg) => {
      const event = msg.json<{ record_id: string; data: { input: { received_at: string } } }>();
      if (seen.has(event.record_id)) state.repeats++;
      else seen.add(event.record_id);
      state.last = Date.now();
      latencies.push(state.last - Date.parse(event.data.input.received_at));
    },
  });
  /** Resolves once `count` distinct records were seen, or nothing arrived for `stallMs`. */
  const until = async (count: number, stallMs: number) => {
    state.last = Date.now();
    while (seen.size < count && Date.now() - state.last < stallMs)
      await new Promise((r) => setTimeout(r, 50));
  };
  return { seen, latencies, state, until };
}
