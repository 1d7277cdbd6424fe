import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { freePort } from './free-port';
import { spawnGuarded, stopGuarded } from './guarded-process';

/** Debian installs it in /usr/sbin, which is not on an ordinary user's PATH. */
export function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.map((dir) => join(dir, 'nats-server')).find((path) => existsSync(path));
  if (!found) {
    throw new Error('nats-server is not installed: deploy/local/ensure-infra.sh installs it');
  }
  return found;
}

export interface NatsServer {
  url: string;
  /** The JetStream store, unique to this server: its path is in the server's command line. */
  storeDir: string;
  /** What the server logged so far: refused publishes and subscriptions among it. */
  log(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** A configuration file's text; without it, a server with no users. */
  config?: string;
  /** What the configuration reads from the environment. */
  env?: Record<string, string>;
}

/**
 * A nats-server of the caller's own, with JetStream in a fresh temporary directory, on a free
 * port of 127.0.0.1: what the tests and benches run against instead of the machine's server.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'refinery-nats-'));
  const config = options.config === undefined ? [] : ['-c', join(dir, 'nats-server.conf')];
  if (options.config !== undefined) writeFileSync(config[1], options.config);
  const port = await freePort();
  const storeDir = join(dir, 'js');
  // Under a guard: the server stops with the process that started it, however that ends.
  const server = spawnGuarded(
    [
      natsServerBinary(),
      ...config,
      ...['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    ],
    { env: { ...process.env, ...options.env }, dir },
  );
  server.stdout?.resume();
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const stop = async () => {
    await stopGuarded(server);
    // The guard removes it; this covers a guard that had to be killed.
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ready(server, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `nats://127.0.0.1:${port}`, storeDir, log: () => log, stop };
}

/** nats-server logs to stderr and says "Server is ready" once it accepts clients. */
function ready(server: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats-server did not start:\n${log()}`)),
      10_000,
    );
    const poll = setInterval(() => {
      if (!log().includes('Server is ready')) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, 20);
    server.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log()}`));
    });
  });
}
