import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { findWorkspaceRoot } from '@refinery/persistence';
import { freePort } from './free-port';
import { uniqueName } from './unique-name';

const run = promisify(execFile);

export interface PostgresClusterOptions {
  /** The PostgreSQL major version; by default the one of the machine's own cluster. */
  version?: string;
  /** A prefix for the cluster's name; a unique suffix is added. */
  prefix?: string;
}

/**
 * A PostgreSQL cluster of a test's own (Debian's `pg_createcluster`), on a free port, which the
 * test may stop and start as it likes: the machine's own server is never touched. Trust
 * authentication on localhost, and no fsync: it is thrown away after the test (`drop`).
 * Needs root, or a sudo that asks no password.
 */
export class PostgresCluster {
  private constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {}

  static async create(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
    const version = options.version ?? (await machineVersion());
    const name = uniqueName(options.prefix ?? 'refinery_test').toLowerCase();
    const port = await freePort();
    await asRoot('pg_createcluster', [
      version,
      name,
      '--port',
      String(port),
      '--start',
      ...['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'shared_buffers=64MB']
        .map((setting) => ['-o', setting])
        .flat(),
      '--',
      '--auth=trust',
    ]);
    const cluster = new PostgresCluster(version, name, port);
    await cluster.waitUntilAccepting();
    return cluster;
  }

  /** What a service reads to use this cluster (DATABASE_HOST, DATABASE_PORT, the admin user). */
  get env(): Record<string, string> {
    return {
      DATABASE_HOST: '127.0.0.1',
      DATABASE_PORT: String(this.port),
      DATABASE_ADMIN_USER: 'postgres',
    };
  }

  /**
   * `database` as `npm run setup` makes one: every service's role and schema (the project's
   * provisioning, from dist/), then every service's migrations (tools/migrate.mjs).
   */
  async provision(database: string): Promise<void> {
    const root = findWorkspaceRoot(__dirname);
    const provision = join(root, 'dist/libs/persistence/src/cli/provision.js');
    if (!existsSync(provision)) throw new Error('dist/ is missing: run `npm run build` first');
    // Each service logs in as its own role: never as a user the environment names.
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, DATABASE_NAME: database };
    delete env.DATABASE_USER;
    delete env.DATABASE_PASSWORD;
    const node = (script: string, args: string[] = []) =>
      run(process.execPath, [script, ...args], { cwd: root, env, maxBuffer: 16 * 2 ** 20 });
    await node(provision, ['--keep-role-passwords']);
    await node(join(root, 'tools/migrate.mjs'));
  }

  /** A connection as the superuser to `database`; the caller ends it. */
  async client(database = 'postgres'): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database });
    await client.connect();
    return client;
  }

  /** Stops the server at once (`-m fast`): sessions are cut, new connections refused. */
  async stop(): Promise<void> {
    await asRoot('pg_ctlcluster', [this.version, this.name, 'stop', '-m', 'fast']);
  }

  /** Starts it again; resolves once it accepts connections. */
  async start(): Promise<void> {
    await asRoot('pg_ctlcluster', [this.version, this.name, 'start']);
    await this.waitUntilAccepting();
  }

  /** Stops it if running and removes it, data and configuration. */
  async drop(): Promise<void> {
    await asRoot('pg_dropcluster', ['--stop', this.version, this.name]);
  }

  private async waitUntilAccepting(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const client = await this.client();
        await client.end();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** The version of the machine's own cluster, whose extensions (pgvector) are installed. */
async function machineVersion(): Promise<string> {
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  const version = stdout.trim().split(/\s+/)[0];
  if (!version) throw new Error('pg_lsclusters lists no cluster: pass the version to use');
  return version;
}

async function asRoot(command: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  try {
    await run(root ? command : 'sudo', root ? args : ['-n', command, ...args]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr?.trim() || String(error)}`, {
      cause: error,
    });
  }
}
