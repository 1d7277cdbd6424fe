import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot, readServicesManifest } from '@refinery/persistence';
import { freePort } from './free-port';
import { killGuarded, spawnGuarded, stopGuarded } from './guarded-process';

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  /** What the service printed so far, stdout and stderr. */
  logs(): string;
  /** SIGTERM, then waits until the service has drained and exited. */
  stop(): Promise<void>;
  /** SIGKILL: the service ends mid-work, as in a crash. */
  kill(): Promise<void>;
}

/** The end of a service's output: enough to say why it failed, short enough to read. */
const tail = (output: string) => output.slice(-4_000) || '(no output)';

/**
 * A service of deploy/services.json as the launcher runs it: its built main from dist/ (which
 * `npm test` builds first), with the manifest's Node flags, on a free port, against this run's
 * nats-server and test database unless `env` says otherwise. Resolves once /health/ready
 * answers; a service that exits or never gets ready fails with the end of its output.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string> = {},
  readyTimeoutMs = 30_000,
): Promise<ServiceProcess> {
  const root = findWorkspaceRoot(__dirname);
  const manifest = readServicesManifest(join(root, 'deploy/services.json'));
  const service = manifest.services.find((s) => s.name === name);
  if (!service) throw new Error(`no service "${name}" in deploy/services.json`);
  const main = join(root, service.main);
  if (!existsSync(main)) throw new Error(`${service.main} is missing: run \`npm run build\` first`);

  const port = await freePort();
  const child = spawnGuarded([process.execPath, ...manifest.nodeFlags, main], {
    cwd: root,
    env: {
      DATABASE_NAME: 'refinery_test',
      ...process.env,
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let ready = false;
  let stopping = false;
  child.once('exit', (code, signal) => {
    // A service that dies under a test says so, or the test only sees what stopped answering.
    if (ready && !stopping) console.error(`[${name}] exited (${signal ?? code}):\n${tail(output)}`);
  });
  const started: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    logs: () => output,
    stop: () => {
      stopping = true;
      return stopGuarded(child, 10_000);
    },
    kill: () => {
      stopping = true;
      return killGuarded(child);
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (child.exitCode === null && child.signalCode === null) {
    ready = await fetch(`${started.url}/health/ready`, { signal: AbortSignal.timeout(1_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return started;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = child.exitCode !== null || child.signalCode !== null;
  await started.stop();
  const why = exited ? 'exited before it was ready' : `was not ready within ${readyTimeoutMs} ms`;
  throw new Error(`${name} ${why}:\n${tail(output)}`);
}

/** Several services at once, with the same `env`; if one does not start, the others stop. */
export async function startServiceProcesses(
  names: readonly string[],
  env: Record<string, string> = {},
): Promise<ServiceProcess[]> {
  const started = await Promise.allSettled(names.map((name) => startServiceProcess(name, env)));
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (!failed) return running;
  await Promise.all(running.map((s) => s.stop()));
  throw failed.reason;
}
