// Runs every service in deploy/services.json as a child process: logs prefixed by service,
// a crashed service restarted with backoff, URLs and the demo key printed once all are
// ready. Ctrl-C (or SIGTERM) stops them all, letting each drain.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeFlags, root, services } from './services.mjs';

const colors = [36, 35, 33, 32, 34, 31, 96, 95];
const width = Math.max(...services.map((s) => s.name.length));
let stopping = false;

function demoApiKey() {
  if (process.env.REFINERY_DEMO_API_KEY) return process.env.REFINERY_DEMO_API_KEY;
  // Kept on disk so the key stays the same from one `npm start` to the next.
  const file = join(root, '.refinery', 'demo-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `rk_demo_${randomBytes(24).toString('base64url')}`;
  mkdirSync(join(root, '.refinery'), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const env = { ...process.env, REFINERY_DEMO_API_KEY: demoApiKey() };
const children = new Map();

function pipe(stream, prefix, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

function start(service, index, attempt = 0) {
  const prefix = `\x1b[${colors[index % colors.length]}m${service.name.padEnd(width)} |\x1b[0m`;
  const child = spawn(process.execPath, [...nodeFlags, join(root, service.main)], {
    cwd: root,
    env: { ...env, PORT: String(service.port) },
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
      `Try: curl -s -X POST http://127.0.0.1:3000/v1/events -H 'content-type: application/json' -H 'x-api-key: ${env.REFINERY_DEMO_API_KEY}' -d @services/ingestion/examples/order.json`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
