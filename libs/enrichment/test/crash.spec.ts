import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjectOf } from '@refinery/contracts';
import { countMessages, eventually, storedMessages, uniqueName } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { consumersOf, stageConfigSchema } from '../src';
import { loadConfig } from '@refinery/runtime';
import { publishReceived, receivedEvent, seedRecords, type Completed } from './support/pipeline';
import { classificationStage, TEST_STAGES } from './support/test-stages';

const ROOT = join(__dirname, '../../..');
const mainOf = (stage: string) => join(ROOT, `dist/services/${stage}/src/main.js`);
const RECORDS = 1500;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The stage services as separate processes, from the build `npm test` makes first, so one
 * can be killed with SIGKILL: no shutdown hook, no flush, the batch in flight simply stops.
 */
describe('a stage process killed with SIGKILL mid-batch', () => {
  const tenant = uniqueName('crash').replace('_', '-');
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test',
    LOG_LEVEL: 'error',
    ENRICHMENT_TENANT: tenant,
    ENRICHMENT_ACK_WAIT: '2s',
    ENRICHMENT_RETRY_SCHEDULE: '500ms,500ms',
    ENRICHMENT_RETRY_JITTER: '0',
    ENRICHMENT_BATCH_SIZE: '100',
  };
  const children = new Set<ChildProcess>();
  let nc: NatsConnection;
  let db: DataSource;

  async function start(stage: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
    const main = mainOf(stage);
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: { ...env, ...extra, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', () => children.delete(child));
    const ready = () =>
      fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (res) => res.ok,
        () => false,
      );
    await eventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${stage} exited ${child.exitCode}:\n${output}`);
        return ready();
      },
      20_000,
      100,
    );
    return child;
  }

  beforeAll(async () => {
    nc = await connect({ servers: env.NATS_URL ?? '127.0.0.1:4222' });
    db = await new DataSource({
      type: 'postgres',
      host: env.DATABASE_HOST ?? '127.0.0.1',
      username: env.DATABASE_ADMIN_USER ?? 'postgres',
      database: env.DATABASE_NAME,
    }).initialize();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    const jsm = await jetstreamManager(nc);
    const config = loadConfig(stageConfigSchema(0), env);
    for (const { stream, durable } of TEST_STAGES.flatMap((s) => consumersOf(s, config)))
      await jsm.consumers.delete(stream, durable).catch(() => false);
    await nc.close();
    await db.destroy();
  });

  it('loses nothing and duplicates nothing once it is restarted', async () => {
    await start('order-analysis');
    // Slow AI answers keep the classification stage behind, a batch always in flight, so
    // the kill lands inside one.
    const slow = { AI_FAULT_LATENCY_MS: '50', ENRICHMENT_AI_CONCURRENCY: '8' };
    let classification = await start('classification', slow);
    await start('resolution');

    const js = jetstream(nc);
    const events = seedRecords(RECORDS, 11).map((record) => receivedEvent(tenant, record));
    await Promise.all(events.map((event) => publishReceived(js, event)));

    const completedSubject = subjectOf('enrichment.completed', { tenant });
    await eventually(async () => (await countMessages(nc, 'ENRICHMENT', completedSubject)) >= 200);
    classification.kill('SIGKILL');
    await new Promise((resolve) => classification.once('exit', resolve));

    // The kill interrupted work: messages delivered to it and never settled.
    const [source] = consumersOf(classificationStage, loadConfig(stageConfigSchema(0), env));
    const jsm = await jetstreamManager(nc);
    const { num_ack_pending: interrupted } = await jsm.consumers.info(
      source.stream,
      source.durable,
    );
    expect(interrupted).toBeGreaterThan(0);
    expect(await countMessages(nc, 'ENRICHMENT', completedSubject)).toBeLessThan(RECORDS);

    classification = await start('classification', slow);
    await eventually(
      async () => (await countMessages(nc, 'ENRICHMENT', completedSubject)) >= RECORDS,
      60_000,
      250,
    );

    const completed = await storedMessages<Completed>(nc, 'ENRICHMENT', completedSubject);
    const ids = completed.map((m) => m.data.record_id);
    expect(ids).toHaveLength(RECORDS);
    expect(new Set(ids).size).toBe(RECORDS);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.record_id)));

    const states = await db.query(
      `SELECT status, count(*)::int AS count FROM classification.stage_records
        WHERE tenant = $1 GROUP BY status ORDER BY status`,
      [tenant],
    );
    expect(
      states.every((s: { status: string }) => ['COMPLETED', 'SKIPPED'].includes(s.status)),
    ).toBe(true);
  }, 120_000);
});
