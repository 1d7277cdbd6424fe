// Runs every service in deploy/services.json as a child process: logs prefixed by service,
// a crashed service restarted with backoff, URLs and the demo key printed once all are
// ready. Ctrl-C (or SIGTERM) stops them all, letting each drain.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureSecretsFile, rolePasswordVariable } from './secrets.mjs';
import { nodeFlags, root, services as manifestServices } from './services.mjs';

/**
 * The manifest's services, on the ports REFINERY_PORTS moves them to: a JSON object of service
 * name and port, e.g. {"ingestion": 4100}, so a second set (the tests') runs beside `npm start`.
 */
function withPortOverrides(list, value) {
  if (!value) return list;
  let ports;
  try {
    ports = JSON.parse(value);
  } catch (error) {
    throw new Error(`REFINERY_PORTS is not JSON: ${error.message}`);
  }
  if (typeof ports !== 'object' || ports === null || Array.isArray(ports))
    throw new Error('REFINERY_PORTS must be a JSON object of service name and port');
  const names = list.map((service) => service.name);
  const bad = Object.entries(ports)
    .filter(
      ([name, port]) =>
        !names.includes(name) || !Number.isInteger(port) || port < 1 || port > 65535,
    )
    .map(([name, port]) => `${name}: ${JSON.stringify(port)}`);
  if (bad.length > 0)
    throw new Error(
      `REFINERY_PORTS names no service or no port in ${bad.join(', ')} (services: ${names.join(', ')})`,
    );
  return list.map((service) => ({ ...service, port: ports[service.name] ?? service.port }));
}

let services;
try {
  services = withPortOverrides(manifestServices, process.env.REFINERY_PORTS);
} catch (error) {
  console.error(`[launch] ${error.message}`);
  process.exit(2);
}

const colors = [36, 35, 33, 32, 34, 31, 96, 95];
const width = Math.max(...services.map((s) => s.name.length));
let stopping = false;

// Generated once into .refinery/secrets.env (0600), so keys and passwords stay the same from
// one `npm start` to the next; a variable set in the environment wins.
const stored = ensureSecretsFile().values;
const secret = (name) => process.env[name] || stored[name];
const ROLE_PASSWORD = /^REFINERY_DB_PASSWORD_/;

/** What every service gets: the environment without any role's password, and the API keys. */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !ROLE_PASSWORD.test(name))),
  REFINERY_DEMO_API_KEY: secret('REFINERY_DEMO_API_KEY'),
  REFINERY_ADMIN_API_KEY: secret('REFINERY_ADMIN_API_KEY'),
};

// Learning reads dataset commits from dataset-versioning, wherever REFINERY_PORTS put it.
const datasets = services.find((s) => s.name === 'dataset-versioning');
if (datasets && !process.env.DATASETS_URL) env.DATASETS_URL = `http://127.0.0.1:${datasets.port}`;

/** A service's own role's password; the monitor's rules engine also logs in as the read-only role. */
function passwordsOf(service) {
  const own = { DATABASE_PASSWORD: secret(rolePasswordVariable(`refinery_${service.schema}`)) };
  if (service.name !== 'quality-monitor') return own;
  const readonly = secret(rolePasswordVariable('refinery_readonly'));
  return { ...own, QUALITY_READONLY_PASSWORD: process.env.QUALITY_READONLY_PASSWORD || readonly };
}

const children = new Map();

function pipe(stream, prefix, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

function start(service, index, attempt = 0) {
  const prefix = `\x1b[${colors[index % colors.length]}m${service.name.padEnd(width)} |\x1b[0m`;
  const child = spawn(process.execPath, [...nodeFlags, join(root, service.main)], {
    cwd: root,
    env: { ...env, ...passwordsOf(service), PORT: String(service.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startedAt = Date.now();
  children.set(service.name, child);
  pipe(child.stdout, prefix, process.stdout);
  pipe(child.stderr, prefix, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (stopping) return;
    // A service that ran a while before crashing starts again from a short delay.
    const next = Date.now() - startedAt > 60_000 ? 0 : attempt + 1;
    const delay = Math.min(30_000, 1000 * 2 ** next);
    console.error(`${prefix} exited (${signal ?? code}); restarting in ${delay / 1000}s`);
    setTimeout(() => start(service, index, next), delay);
  });
}

async function ready(service, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nstopping ${children.size} service(s)...`);
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
  const wait = setInterval(() => {
    if (children.size > 0) return;
    clearInterval(wait);
    clearTimeout(force);
    process.exit(signal === 'SIGINT' ? 130 : 0);
  }, 100);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

services.forEach((service, i) => start(service, i));
const results = await Promise.all(services.map((s) => ready(s, 120_000)));
if (!stopping) {
  const lines = services.map(
    (s, i) =>
      `  ${s.name.padEnd(width)}  http://127.0.0.1:${s.port}  (docs /docs, ready ${results[i] ? 'yes' : 'NOT YET'})`,
  );
  console.log(
    [
      '',
      'Refinery is running:',
      ...lines,
      '',
      `Demo tenant "demo", API key: ${env.REFINERY_DEMO_API_KEY}`,
      process.env.REFINERY_ADMIN_API_KEY
        ? 'Operator key: the one in REFINERY_ADMIN_API_KEY'
        : 'Operator key (tenants, keys, validation rules): REFINERY_ADMIN_API_KEY in .refinery/secrets.env',
      `Try: curl -s -X POST http://127.0.0.1:${services.find((s) => s.name === 'ingestion')?.port}/v1/events -H 'content-type: application/json' -H 'x-api-key: ${env.REFINERY_DEMO_API_KEY}' -d @services/ingestion/examples/order.json`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
