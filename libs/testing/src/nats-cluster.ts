import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@refinery/persistence';
import { freePort } from './free-port';
import { spawnGuarded, stopGuarded } from './guarded-process';
import { natsServerBinary, type NatsServerOptions } from './nats-server';

/** One nats-server of a NatsCluster, which a test may kill and start again. */
export interface NatsClusterNode {
  /** Its server name, which JetStream names it by (a stream's leader, a peer). */
  readonly name: string;
  /** Its client URL. */
  readonly url: string;
  /** Its monitoring endpoint: /healthz, /jsz, /routez. */
  readonly monitorUrl: string;
  /** Its JetStream store, kept across kill() and restart(). */
  readonly storeDir: string;
  /** Whether the server process is up. */
  running(): boolean;
  /** What the node logged so far, across restarts. */
  log(): string;
  /** Sends the server process `signal` (SIGKILL: no goodbye to the cluster) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same name, ports and store; resolves once it accepts clients. */
  restart(): Promise<void>;
  /** /healthz: JetStream enabled and current with the cluster (meta, streams, consumers). */
  healthy(): Promise<boolean>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated: a NATS_URL for the services. */
  readonly urls: string;
  /** The node leading the JetStream meta group, as the running nodes see it. */
  metaLeader(): Promise<NatsClusterNode | undefined>;
  /** The node leading `stream` (of any account), or undefined while it has none. */
  streamLeader(stream: string): Promise<NatsClusterNode | undefined>;
  /** Resolves once every running node is routed to the others and a meta leader is known. */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their directory. */
  stop(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
  account_details?: {
    stream_detail?: { name: string; cluster?: { leader?: string } }[];
  }[];
}

/**
 * `n` nats-servers in one JetStream cluster, each on free ports of 127.0.0.1 with a store of
 * its own, run from deploy/nats/cluster/node.conf as the deployment runs them: `config` is
 * what that file includes as nats-server.conf (accounts and users; without it, no users),
 * `env` what it reads besides the node's own settings (the passwords). Every node runs under
 * a guard, so none outlives the process that started it. Resolves once the cluster has a
 * JetStream meta leader.
 */
export async function startNatsCluster(
  n = 3,
  options: NatsServerOptions = {},
): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'refinery-nats-cluster-'));
  const root = findWorkspaceRoot(__dirname);
  // The layout of deploy/nats: the node file includes ../nats-server.conf.
  writeFileSync(join(dir, 'nats-server.conf'), options.config ?? 'jetstream: enabled\n');
  mkdirSync(join(dir, 'cluster'));
  const nodeConf = join(dir, 'cluster', 'node.conf');
  copyFileSync(join(root, 'deploy', 'nats', 'cluster', 'node.conf'), nodeConf);

  const routePassword = `p${randomBytes(18).toString('hex')}`;
  const ports = [];
  for (let i = 0; i < n; i++) {
    ports.push({ client: await freePort(), cluster: await freePort(), monitor: await freePort() });
  }
  const routes = ports.map((p) => `nats://route:${routePassword}@127.0.0.1:${p.cluster}`);
  const nodes = ports.map((p, i) =>
    node(i + 1, dir, nodeConf, {
      ...process.env,
      ...options.env,
      NATS_SERVER_NAME: `n${i + 1}`,
      NATS_HOST: '127.0.0.1',
      NATS_CLIENT_PORT: String(p.client),
      NATS_CLUSTER_PORT: String(p.cluster),
      NATS_MONITOR_PORT: String(p.monitor),
      NATS_STORE_DIR: join(dir, `n${i + 1}`, 'js'),
      NATS_ROUTES: `[${routes.join(', ')}]`,
      REFINERY_NATS_ROUTE_PASSWORD: routePassword,
    }),
  );

  const jsz = async (target: ClusterNode, query = ''): Promise<Jsz | undefined> => {
    if (!target.running()) return undefined;
    return fetch(`${target.monitorUrl}/jsz${query}`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => (r.ok ? (r.json() as Promise<Jsz>) : undefined))
      .catch(() => undefined);
  };
  const byName = (name: string | undefined) => nodes.find((node) => node.name === name);

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((node) => node.url).join(','),
    async metaLeader() {
      for (const node of nodes) {
        const leader = byName((await jsz(node))?.meta_cluster?.leader);
        if (leader?.running()) return leader;
      }
      return undefined;
    },
    async streamLeader(stream) {
      for (const node of nodes) {
        const details = await jsz(node, '?accounts=true&streams=true');
        for (const account of details?.account_details ?? []) {
          const found = account.stream_detail?.find((s) => s.name === stream);
          const leader = byName(found?.cluster?.leader);
          if (leader?.running()) return leader;
        }
      }
      return undefined;
    },
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = nodes.filter((node) => node.running());
        const routed = await Promise.all(
          running.map((node) =>
            fetch(`${node.monitorUrl}/routez`, { signal: AbortSignal.timeout(2_000) })
              .then((r) => r.json() as Promise<{ routes?: { remote_id: string }[] }>)
              .then((r) => new Set((r.routes ?? []).map((route) => route.remote_id)).size)
              .catch(() => 0),
          ),
        );
        if (routed.every((count) => count >= running.length - 1) && (await cluster.metaLeader()))
          return;
        if (Date.now() > deadline) {
          throw new Error(
            `the NATS cluster has no meta leader after ${timeoutMs} ms:\n${nodes.map((node) => `[${node.name}] ${node.log().slice(-2_000)}`).join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((node) => node.start()));
    await cluster.ready();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

interface ClusterNode extends NatsClusterNode {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function node(
  index: number,
  dir: string,
  config: string,
  env: Record<string, string | undefined>,
): ClusterNode {
  const name = env.NATS_SERVER_NAME ?? `n${index}`;
  const pidFile = join(dir, `${name}.pid`);
  let server: ChildProcess | undefined;
  let log = '';
  const running = () => server !== undefined && server.exitCode === null && !server.signalCode;

  const start = async () => {
    // No directory for the guard to remove: the store outlives the process.
    const child = spawnGuarded([natsServerBinary(), '-c', config, '-P', pidFile], { env });
    server = child;
    child.stdout?.resume();
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const from = log.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`nats-server ${name} did not start:\n${log.slice(from)}`)),
        15_000,
      );
      const poll = setInterval(() => {
        if (log.slice(from).includes('Server is ready')) done();
      }, 20);
      const exited = (code: number | null) =>
        done(new Error(`nats-server ${name} exited with ${code}:\n${log.slice(from)}`));
      child.once('exit', exited);
      function done(error?: Error) {
        clearInterval(poll);
        clearTimeout(timer);
        child.off('exit', exited);
        if (error) reject(error);
        else resolve();
      }
    });
  };

  return {
    name,
    url: `nats://127.0.0.1:${env.NATS_CLIENT_PORT}`,
    monitorUrl: `http://127.0.0.1:${env.NATS_MONITOR_PORT}`,
    storeDir: env.NATS_STORE_DIR ?? '',
    running,
    log: () => log,
    start,
    async kill(signal = 'SIGKILL') {
      const child = server;
      if (!child || !running()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The guard's child, not the guard: the server gets no chance to say goodbye.
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      process.kill(pid, signal);
      await exited;
    },
    async restart() {
      if (running()) throw new Error(`nats-server ${name} is still running`);
      rmSync(pidFile, { force: true });
      await start();
    },
    async healthy() {
      if (!running()) return false;
      return fetch(`http://127.0.0.1:${env.NATS_MONITOR_PORT}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      })
        .then((r) => r.ok)
        .catch(() => false);
    },
    async stop() {
      if (server) await stopGuarded(server);
    },
  };
}
