import {
  adminConfigFromEnv,
  createDataSource,
  databaseConfigFromEnv,
  runMigrations,
  vectorToSql,
} from '@refinery/persistence';
import {
  createScratchSchema as createScratchSchemaOf,
  uniqueName,
  type ScratchSchema,
} from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { Client, escapeIdentifier as ident } from 'pg';
import type { DataSource } from 'typeorm';
import { migrations, SCHEMA } from '../../src/data-source';

/** The tests' database: jest's global setup names it (refinery_test unless told otherwise). */
export const TEST_DATABASE = process.env.DATABASE_NAME ?? 'refinery_test';

/** How the service owning `schema` connects: as its own role, in its own schema. */
const configFor = (schema: string) =>
  databaseConfigFromEnv(schema, {
    ...process.env,
    DATABASE_NAME: TEST_DATABASE,
    DATABASE_USER: undefined,
  });

/**
 * The learning schema as the service has it, migrated the way the service migrates at start.
 * The schema and its role come from provisioning (deploy/services.json), not from the tests.
 */
export async function openLearningDb(poolSize?: number): Promise<DataSource> {
  const dataSource = await createDataSource({
    schema: SCHEMA,
    entities: [],
    migrations,
    config: configFor(SCHEMA),
    poolSize,
  }).initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/** A connection of its own, as the service's role: for sessions that must not share a pool. */
export async function connectAsService(schema = SCHEMA): Promise<Client> {
  const client = new Client({
    ...configFor(schema),
    options: `-c search_path=${ident(schema)},public`,
  });
  await client.connect();
  return client;
}

export async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...adminConfigFromEnv(), database: TEST_DATABASE });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export type { ScratchSchema } from '@refinery/testing';

/** A throwaway schema with learning's migrations, to run or roll back (see libs/testing). */
export const createScratchSchema = (prefix: string): Promise<ScratchSchema> =>
  createScratchSchemaOf(prefix, migrations);

/** A tenant no other test uses. */
export const testTenant = (prefix = 'learn'): string => uniqueName(prefix).replace('_', '-');

/** Removes what tests wrote for these tenants: interactions cascade to what hangs off them. */
export async function removeTenants(db: DataSource, tenants: string[]): Promise<void> {
  await db.query('DELETE FROM interactions WHERE tenant = ANY($1)', [tenants]);
  await db.query('DELETE FROM voice_transcripts WHERE tenant = ANY($1)', [tenants]);
  await db.query('DELETE FROM learning_queue WHERE tenant = ANY($1)', [tenants]);
  await db.query('DELETE FROM learning_audit_log WHERE tenant = ANY($1)', [tenants]);
  // Deleted vectors stay in the HNSW graph until a vacuum, and a search that meets thousands of
  // them (a suite removes 22,000) misses live items. Autovacuum gets there; suites do not wait.
  await db.query('VACUUM learning_embeddings');
}

export interface InteractionFields {
  tenant: string;
  input?: Record<string, unknown>;
  label?: string | null;
  action?: string | null;
  confidence?: number | null;
}

/** An enriched exception as learning would record it; returns its id. */
export async function insertInteraction(
  db: DataSource,
  fields: InteractionFields,
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO interactions (id, tenant, record_type, source, external_id, input, label, action,
                               confidence, model_name, model_version, completed_at)
     VALUES ($1, $2, 'exception', 'shop-eu', $3, $4, $5, $6, $7, 'classifier', '2026-01', now())`,
    [
      id,
      fields.tenant,
      `x-${id.slice(0, 8)}`,
      fields.input ?? { order_number: 'A-1', description: 'The parcel never arrived.' },
      fields.label === undefined ? 'lost_in_transit' : fields.label,
      fields.action === undefined ? 'reship' : fields.action,
      fields.confidence === undefined ? 0.72 : fields.confidence,
    ],
  );
  return id;
}

export const DIMENSIONS = 768;

/** A unit vector along axis `i`, turned by `angle` radians towards axis `j`. */
export function unitVector(i: number, angle = 0, j = (i + 1) % DIMENSIONS): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  v[i] = Math.cos(angle);
  v[j] += Math.sin(angle);
  return v;
}

export const toVector = (v: readonly number[]): string => vectorToSql(v);

/** Gives a queue item its vector (in learning_embeddings, beside the queue), as the service does. */
export async function embed(db: DataSource, itemId: string, vector: readonly number[]) {
  await db.query(
    `INSERT INTO learning_embeddings (item_id, tenant, embedding)
     SELECT id, tenant, $2 FROM learning_queue WHERE id = $1`,
    [itemId, toVector(vector)],
  );
}

/** The plan nodes of an EXPLAIN (FORMAT JSON), depth first. */
export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/**
 * check_similar_knowledge's nearest-neighbour query among the statements it ran (its look at the
 * statistics, for the tenant's size, reads no learning_embeddings).
 */
export const isSimilarScan = (statement: ExplainedStatement): boolean =>
  statement.text.includes('FROM learning_embeddings') && statement.text.includes('ORDER BY');

/** "Limit > Index Scan using idx_x on t": how a plan reads, for the test output. */
export const describePlan = (plan: PlanNode): string =>
  planNodes(plan)
    .map((n) => n['Node Type'] + (n['Index Name'] ? ` using ${n['Index Name']}` : ''))
    .join(' > ');

export interface ExplainedStatement {
  text: string;
  plan: PlanNode;
  ms: number;
}

/**
 * Runs `sql` (as the superuser, who alone may load auto_explain) and returns its rows with the
 * plan of each statement it ran, nested ones included: the plans as they ran, not as EXPLAIN
 * would guess them. `settings` are SET first, e.g. to steer the planner.
 */
export async function explainEach<T = Record<string, unknown>>(
  sql: string,
  params: unknown[],
  settings: Record<string, string> = {},
): Promise<{ rows: T[]; plans: ExplainedStatement[] }> {
  return asAdmin(async (client) => {
    const plans: ExplainedStatement[] = [];
    client.on('notice', (notice) => {
      const message = notice.message ?? '';
      const json = message.slice(message.indexOf('{'));
      if (!json.startsWith('{')) return;
      const logged = JSON.parse(json) as { 'Query Text': string; Plan: PlanNode };
      const ms = Number(/duration: ([\d.]+) ms/.exec(message)?.[1]);
      plans.push({ text: logged['Query Text'], plan: logged.Plan, ms });
    });
    await client.query(`LOAD 'auto_explain'`);
    const all = {
      ...settings,
      'auto_explain.log_min_duration': '0',
      'auto_explain.log_nested_statements': 'on',
      'auto_explain.log_format': 'json',
      client_min_messages: 'log',
    };
    for (const [name, value] of Object.entries(all)) {
      await client.query('SELECT set_config($1, $2, false)', [name, value]);
    }
    const { rows } = await client.query(sql, params);
    return { rows: rows as T[], plans };
  });
}
