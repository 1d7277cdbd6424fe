import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Debian installs it in /usr/sbin, which is not on an ordinary user's PATH. */
function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.map((dir) => join(dir, 'nats-server')).find((path) => existsSync(path));
  if (!found) {
    throw new Error('nats-server is not installed: deploy/local/ensure-infra.sh installs it');
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface NatsServer {
  url: string;
  /** What the server logged so far: refused publishes and subscriptions among it. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A nats-server of the test's own, with JetStream in a fresh directory, started from `config`
 * on a free port. `env` supplies what the configuration reads from the environment.
 */
export async function startNatsServer(
  config: string,
  env: Record<string, string>,
): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'refinery-nats-'));
  const configPath = join(dir, 'nats-server.conf');
  writeFileSync(configPath, config);
  const port = await freePort();
  const server = spawn(
    natsServerBinary(),
    ['-c', configPath, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stop = async () => {
    await kill(server);
    rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  try {
    await ready(server, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `nats://127.0.0.1:${port}`, log: () => log, stop };
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

function kill(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.kill('SIGKILL'), 5_000);
    server.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    server.kill('SIGTERM');
  });
}
