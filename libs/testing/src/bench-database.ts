import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  adminConfigFromEnv,
  findWorkspaceRoot,
  provisionDatabase,
  readServicesManifest,
} from '@refinery/persistence';

/** A connection as the server's admin to `database`; the caller ends it. */
export async function adminClient(database: string): Promise<Client> {
  const client = new Client({ ...adminConfigFromEnv(), database });
  await client.connect();
  return client;
}

/**
 * A database of a bench's own, dropped and made afresh: every service's schema provisioned
 * and migrated, as `npm run setup` does, so tables grown by earlier runs never skew figures.
 */
export async function freshServicesDatabase(database: string): Promise<void> {
  const root = findWorkspaceRoot(__dirname);
  const server = await adminClient('postgres');
  try {
    await server.query(`DROP DATABASE IF EXISTS ${database}`);
  } finally {
    await server.end();
  }
  const manifest = readServicesManifest(join(root, 'deploy/services.json'));
  await provisionDatabase({
    admin: adminConfigFromEnv(),
    database,
    schemas: manifest.services.map((s) => s.schema),
    extensions: ['vector'],
    shared: { schema: 'auth', ownerSchema: 'ingestion' },
  });
  execFileSync(process.execPath, [join(root, 'tools/migrate.mjs')], {
    env: { ...process.env, DATABASE_NAME: database },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Progress on stderr: a bench's stdout ends with its JSON line. */
export const benchLog = (msg: string) => console.error(`[bench] ${msg}`);

export const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The work's result and how long it took, in ms to a tenth. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, Math.round((performance.now() - started) * 10) / 10];
}

/** The machine a bench ran on, for its JSON line. */
export const machine = () => ({
  cpus: cpus().length,
  model: cpus()[0]?.model,
  mem_gb: Math.round(totalmem() / 2 ** 30),
  load: loadavg()[0],
});
