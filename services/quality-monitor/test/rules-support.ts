import { adminConfigFromEnv, provisionDatabase, serviceRole } from '@refinery/persistence';
import { uniqueName } from '@refinery/testing';
import { Client, escapeIdentifier as ident } from 'pg';
import { OPERATOR_KEY } from './monitor-app';

const database = process.env.DATABASE_NAME ?? 'refinery_test';

async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...adminConfigFromEnv(), database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A schema of its own, provisioned like a service's (so the read-only role may read it),
 * with tables created by its own role, as a service's migrations would.
 */
export async function createScratchSchema(ddl: string) {
  const schema = uniqueName('qm_scratch');
  const role = serviceRole(schema);
  await provisionDatabase({ admin: adminConfigFromEnv(), database, schemas: [schema] });
  await asAdmin(async (client) => {
    await client.query(`SET ROLE ${ident(role)}; SET search_path = ${ident(schema)}; ${ddl}`);
  });
  return {
    schema,
    /** Run as the superuser, to look at or grant on the tables behind the monitor's back. */
    admin: <T = Record<string, unknown>>(sql: string) =>
      asAdmin(async (client) => (await client.query(sql)).rows as T[]),
    drop: () =>
      asAdmin(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
        await client.query(`DROP OWNED BY ${ident(role)} CASCADE`);
        await client.query(`DROP ROLE IF EXISTS ${ident(role)}`);
      }),
  };
}

/** A JSON request to the monitor with the operator key, as curl would send it. */
export async function request<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  key = OPERATOR_KEY,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      'x-api-key': key,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The value of one series in a /metrics scrape, matched on every label given. */
export function seriesValue(
  metrics: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
