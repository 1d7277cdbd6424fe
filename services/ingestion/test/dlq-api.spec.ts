import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { subjectOf } from '@refinery/contracts';
import { DLQ_HEADERS, REPLAY_HEADERS } from '@refinery/messaging';
import { storedMessages, TestTenants } from '@refinery/testing';
import { startIngestion, type Ingestion } from './ingestion-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const OPERATOR_KEY = TestTenants.operatorKey();

interface Letter {
  seq: number;
  reason: string;
  tenant: string;
  replayed: boolean;
  payload?: unknown;
  headers?: Record<string, string>;
}
interface Page {
  dead_letters: Letter[];
  next_after: number | null;
}
interface Problem {
  detail: string;
  errors?: { path: string; message: string }[];
}

/**
 * /v1/admin/dlq over dead letters written as a consumer writes them, of a subject no consumer
 * reads (a stage's escalations): what a replay publishes stays there to be looked at.
 */
describe('the dead-letter admin API', () => {
  let ingestion: Ingestion;
  let tenant: string;
  let subject: string;
  const seqs: number[] = [];

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ingestion.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': OPERATOR_KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const list = async (query: string) =>
    (await call<Page>('GET', `/v1/admin/dlq?tenant=${tenant}&${query}`)).body;

  beforeAll(async () => {
    ingestion = await startIngestion({ REFINERY_ADMIN_API_KEY: OPERATOR_KEY });
    tenant = (await ingestion.tenants.create({ prefix: 'dlq' })).slug;
    subject = subjectOf('enrichment.escalated', { stage: 'resolution', tenant });
    const js = jetstream(ingestion.nc);
    // Three that ran out of retries, then two a handler refused outright.
    for (let i = 1; i <= 5; i++) {
      const hdrs = natsHeaders();
      const reason = i <= 3 ? 'retries_exhausted' : 'non_retryable';
      hdrs.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      hdrs.set(DLQ_HEADERS.reason, `${reason}: Error: number ${i} failed`);
      hdrs.set(DLQ_HEADERS.subject, subject);
      hdrs.set(DLQ_HEADERS.stream, 'ENRICHMENT');
      hdrs.set(DLQ_HEADERS.sequence, String(100 + i));
      hdrs.set(DLQ_HEADERS.deliveries, '3');
      hdrs.set(DLQ_HEADERS.service, 'classification');
      hdrs.set(DLQ_HEADERS.consumer, 'classification');
      hdrs.set(DLQ_HEADERS.msgId, `${tenant}-${i}`);
      const ack = await js.publish(
        subjectOf('dlq', { service: 'classification' }),
        JSON.stringify({ n: i, tenant }),
        { headers: hdrs },
      );
      seqs.push(ack.seq);
    }
  });
  afterAll(async () => {
    await call('DELETE', `/v1/admin/dlq?tenant=${tenant}`);
    await ingestion?.close();
  });

  it('lists with filters, a page at a time, and shows one', async () => {
    const first = await list('limit=2');
    expect(first.dead_letters.map((l) => l.seq)).toEqual(seqs.slice(0, 2));
    expect(first.next_after).toBe(seqs[1]);
    const second = await list(`limit=2&after=${first.next_after}`);
    expect(second.dead_letters.map((l) => l.seq)).toEqual(seqs.slice(2, 4));
    const last = await list(`limit=2&after=${second.next_after}`);
    expect(last).toMatchObject({ dead_letters: [{ seq: seqs[4] }], next_after: null });

    const refused = await list('reason=non_retryable&service=classification&since=1h');
    expect(refused.dead_letters.map((l) => [l.seq, l.reason, l.tenant])).toEqual([
      [seqs[3], 'non_retryable', tenant],
      [seqs[4], 'non_retryable', tenant],
    ]);
    expect((await list('service=resolution')).dead_letters).toEqual([]);
    expect((await list('until=2020-01-01')).dead_letters).toEqual([]);

    const shown = await call<Letter & Record<string, unknown>>('GET', `/v1/admin/dlq/${seqs[0]}`);
    expect(shown.body).toMatchObject({
      seq: seqs[0],
      service: 'classification',
      reason: 'retries_exhausted',
      error: 'Error: number 1 failed',
      subject,
      stream: 'ENRICHMENT',
      stream_seq: 101,
      msg_id: `${tenant}-1`,
      deliveries: 3,
      replayed: false,
      payload: { n: 1, tenant },
    });
  });

  it('names what is wrong in a request, and what is missing', async () => {
    const bad = await call<Problem>('GET', '/v1/admin/dlq?limit=0&service=nope&since=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path).sort()).toEqual(['limit', 'service', 'since']);
    expect((await call<Problem>('GET', '/v1/admin/dlq/abc')).body.errors).toEqual([
      { path: 'seq', message: expect.stringMatching(/^must be a whole number/) },
    ]);
    const missing = await call<Problem>('GET', '/v1/admin/dlq/999999999');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/holds no message 999999999/);
    const unfiltered = await call<Problem>('POST', '/v1/admin/dlq/replay', {});
    expect(unfiltered.status).toBe(400);
    expect(unfiltered.body.errors?.map((e) => e.path)).toEqual(['all']);
    expect((await call('GET', '/v1/admin/dlq?tenant=no-such-tenant')).status).toBe(404);
  });

  it('replays one with a new message id, once unless forced, then every match not replayed yet', async () => {
    const replay = await call<Record<string, unknown>>(
      'POST',
      `/v1/admin/dlq/${seqs[0]}/replay`,
      {},
    );
    expect(replay).toEqual({
      status: 200,
      body: expect.objectContaining({
        dlq_seq: seqs[0],
        attempt: 1,
        subject,
        msg_id: `${tenant}-1:replay:${seqs[0]}`,
        stream: 'ENRICHMENT',
        duplicate: false,
        by: 'operator (api)',
      }),
    });
    const [stored] = await storedMessages<unknown>(ingestion.nc, 'ENRICHMENT', subject);
    expect(stored.data).toEqual({ n: 1, tenant });
    expect(stored.headers).toMatchObject({
      'Nats-Msg-Id': `${tenant}-1:replay:${seqs[0]}`,
      [REPLAY_HEADERS.of]: String(seqs[0]),
      [REPLAY_HEADERS.service]: 'classification',
      traceparent: expect.any(String),
    });
    expect(Object.keys(stored.headers).some((k) => k.startsWith('Refinery-Dlq-'))).toBe(false);

    const twice = await call<Problem>('POST', `/v1/admin/dlq/${seqs[0]}/replay`, {});
    expect(twice.status).toBe(409);
    const forced = await call<{ attempt: number }>('POST', `/v1/admin/dlq/${seqs[0]}/replay`, {
      force: true,
      by: 'ana',
    });
    expect(forced.body).toMatchObject({ attempt: 2, by: 'ana' });

    const body = { reason: 'retries_exhausted' };
    const dry = await call<Record<string, unknown>>(
      'POST',
      `/v1/admin/dlq/replay?tenant=${tenant}`,
      { ...body, dry_run: true },
    );
    expect(dry.body).toEqual({
      dry_run: true,
      replayed: [],
      would_replay: [
        { seq: seqs[1], subject },
        { seq: seqs[2], subject },
      ],
      skipped: [{ seq: seqs[0], why: expect.stringMatching(/was replayed at .* by ana/) }],
      more: false,
    });
    const done = await call<{ replayed: { dlq_seq: number }[]; skipped: unknown[] }>(
      'POST',
      `/v1/admin/dlq/replay?tenant=${tenant}`,
      body,
    );
    expect(done.body.replayed.map((r) => r.dlq_seq)).toEqual([seqs[1], seqs[2]]);
    expect(done.body.skipped).toHaveLength(1);
    expect(await storedMessages(ingestion.nc, 'ENRICHMENT', subject)).toHaveLength(4);
    expect((await list('replayed=false')).dead_letters.map((l) => l.seq)).toEqual(seqs.slice(3));
  });

  it('does the same from the command line', async () => {
    const cli = join(ROOT, 'dist/services/ingestion/src/admin/admin.cli.js');
    const admin = async (...args: string[]) =>
      (
        await run(process.execPath, [cli, 'dlq', ...args], {
          env: { ...process.env, DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test' },
        })
      ).stdout;
    const page = JSON.parse(await admin('list', '--tenant', tenant, '--limit', '2', '--json'));
    expect(page.next_after).toBe(seqs[1]);
    expect(await admin('list', '--tenant', tenant, '--limit', '2')).toMatch(
      /\n2 dead letter\(s\); more: --after \d+\n$/,
    );
    const replayed = await admin('replay', String(seqs[3]), '--by', 'bo');
    expect(replayed).toMatch(
      new RegExp(`^replayed dead letter ${seqs[3]} to ${subject}: .* by bo as ${tenant}-4:replay`),
    );
    const usage = await run(process.execPath, [cli, 'dlq', 'list', '--colour', 'red']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option') });
  });
});
