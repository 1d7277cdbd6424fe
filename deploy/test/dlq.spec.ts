import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import {
  exception,
  scriptedLlm,
  startPipeline,
  stagesOf,
  type Pipeline,
} from '@refinery/enrichment/testing';
import { DLQ_HEADERS } from '@refinery/messaging';
import {
  errorReply,
  FakeOpenAiServer,
  startServiceProcess,
  TestTenants,
  uniqueName,
  waitFor,
  type ServiceProcess,
} from '@refinery/testing';
import { OPERATOR_KEY } from './support/monitor-process';
import { ROOT } from './support/repo';

const run = promisify(execFile);

type Failed = EventPayload<'enrichment.failed'>;
type Escalated = EventPayload<'enrichment.escalated'>;

/** What /v1/admin/dlq answers of one dead letter. */
interface Letter {
  seq: number;
  service: string;
  reason: string;
  error: string;
  tenant: string | null;
  subject: string;
  stream: string | null;
  stream_seq: number | null;
  msg_id: string | null;
  deliveries: number | null;
  replay_of: number | null;
  replayed: boolean;
  replays: { attempt: number; msg_id: string; by: string; stream: string; stream_seq: number }[];
  payload?: { record_id?: string };
}
interface Page {
  dead_letters: Letter[];
  next_after: number | null;
}

/** `npm run admin -- dlq ...` as built: what it printed. */
async function admin(...args: string[]): Promise<string> {
  const cli = join(ROOT, 'dist/services/ingestion/src/admin/admin.cli.js');
  const { stdout } = await run(process.execPath, [cli, 'dlq', ...args], {
    env: { ...process.env, DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test' },
  });
  return stdout;
}

/**
 * The operator's dead letters, end to end: the stages (in this process, following one tenant)
 * dead-letter records during an AI outage, and ingestion, as its own process, lists, shows,
 * replays and purges them over its admin API and its command line.
 */
describe('dead letters, replayed by the operator', () => {
  const outage = { on: true };
  let server: FakeOpenAiServer;
  let pipeline: Pipeline;
  let ingestion: ServiceProcess;
  let tenant: string;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
    // DEAD-* never get an analysis; the others only while the outage lasts.
    scriptedLlm(server, (task, order) =>
      task === 'analysis' && (order.startsWith('DEAD') || outage.on)
        ? errorReply(503, 'The model is overloaded')
        : undefined,
    );
    pipeline = await startPipeline({
      llm: server,
      env: { ENRICHMENT_RETRY_SCHEDULE: '200ms', ENRICHMENT_REPROCESS_LIMIT: '1' },
    });
    tenant = pipeline.tenant;
    // The operator names the tenant in ?tenant=, which must exist.
    const tenants = await TestTenants.open();
    await tenants.create({ slug: tenant }).finally(() => tenants.close());
    ingestion = await startServiceProcess('ingestion', {
      REFINERY_ADMIN_API_KEY: OPERATOR_KEY,
      AUTH_FAILURE_LIMIT: '100000',
    });
  }, 60_000);

  afterAll(async () => {
    await ingestion?.stop();
    await pipeline?.close();
    await server?.close();
  });

  const call = async <T>(method: string, path: string, body?: unknown, key = OPERATOR_KEY) => {
    const res = await fetch(`${ingestion.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  /** This tenant's dead letters of order analysis, as the API lists them. */
  const letters = async (query = '') =>
    (await call<Page>('GET', `/v1/admin/dlq?tenant=${tenant}&service=order-analysis${query}`)).body
      .dead_letters;
  const show = async (seq: number) => (await call<Letter>('GET', `/v1/admin/dlq/${seq}`)).body;
  /** The dead letter of one record, for one reason, with its payload. */
  const letterOf = async (recordId: string | null, reason = 'retries_exhausted') => {
    for (const listed of await letters()) {
      if (listed.reason !== reason) continue;
      const letter = await show(listed.seq);
      if (letter.payload?.record_id === recordId) return letter;
    }
    return undefined;
  };
  const failedEvents = async (recordId: string | null) =>
    (
      await pipeline.stored<Failed>(
        'ENRICHMENT',
        subjectOf('enrichment.failed', { stage: 'order-analysis', tenant }),
      )
    ).filter((m) => m.data.record_id === recordId);

  it('completes a record dead-lettered during an outage, once, after the operator replays it', async () => {
    const [event] = await pipeline.receive([exception('DOWN-1')]);
    const letter = await waitFor(() => letterOf(event.record_id));
    expect(letter).toMatchObject({
      service: 'order-analysis',
      reason: 'retries_exhausted',
      error: expect.stringMatching(/503/),
      tenant,
      subject: subjectOf('records.received', { tenant, type: 'exception' }),
      stream: 'RECORDS',
      msg_id: event.id,
      deliveries: 2,
      replay_of: null,
      replayed: false,
      replays: [],
    });
    expect(letter.stream_seq).toEqual(expect.any(Number));

    // The command line lists and shows the same.
    const listed = await admin('list', '--tenant', tenant, '--service', 'order-analysis');
    const row = listed.split('\n').find((line) => line.startsWith(`${letter.seq} `));
    expect(row).toMatch(/order-analysis +retries_exhausted/);
    expect(row).toMatch(/ no +\S.*503/);
    const json = JSON.parse(
      await admin('list', '--tenant', tenant, '--since', '10m', '--json'),
    ) as Page;
    expect(json.dead_letters.map((l) => l.seq)).toContain(letter.seq);
    const shown = await admin('show', String(letter.seq));
    expect(shown).toContain(`dead letter ${letter.seq}`);
    expect(shown).toContain(`original      ${letter.subject} (RECORDS #${letter.stream_seq})`);
    expect(shown).toContain(`"record_id": "${event.record_id}"`);

    // The AI is back: the operator replays it.
    outage.on = false;
    const replay = await call<Letter['replays'][number]>(
      'POST',
      `/v1/admin/dlq/${letter.seq}/replay`,
      { by: 'ana' },
    );
    expect(replay).toEqual({
      status: 200,
      body: expect.objectContaining({
        dlq_seq: letter.seq,
        attempt: 1,
        subject: letter.subject,
        msg_id: `${event.id}:replay:${letter.seq}`,
        stream: 'RECORDS',
        duplicate: false,
        by: 'ana',
      }),
    });
    const completed = await pipeline.waitForCompletedOf(event.record_id);
    const analysis = stagesOf(completed.data)['order-analysis'];
    expect(analysis).toMatchObject({ status: 'COMPLETED', retry_count: 1 });
    expect(analysis?.errors).toEqual([
      expect.stringMatching(/^attempt 1: .*503/),
      expect.stringMatching(/^attempt 2: .*503/),
    ]);

    // Recorded, and refused a second time unless forced.
    expect(await show(letter.seq)).toMatchObject({
      replayed: true,
      replays: [{ attempt: 1, by: 'ana', msg_id: replay.body.msg_id }],
    });
    const again = await call<{ detail: string }>('POST', `/v1/admin/dlq/${letter.seq}/replay`, {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(
      new RegExp(
        `^dead letter ${letter.seq} was replayed at .* by ana as .*; force replays it again$`,
      ),
    );
    expect((await letters('&replayed=false')).map((l) => l.seq)).not.toContain(letter.seq);

    // Forced, it reaches the stage again, which finds the record completed: nothing twice.
    const forced = await call<{ attempt: number; msg_id: string }>(
      'POST',
      `/v1/admin/dlq/${letter.seq}/replay`,
      { force: true },
    );
    expect(forced.body).toMatchObject({ attempt: 2, msg_id: `${replay.body.msg_id}:2` });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await pipeline.completedOf(event.record_id)).toHaveLength(1);
    expect(await failedEvents(event.record_id)).toHaveLength(1);
  });

  it('sends a replay that fails again back to the DLQ, and escalates past the reprocess limit', async () => {
    const [event] = await pipeline.receive([exception('DEAD-1')]);
    const first = await waitFor(() => letterOf(event.record_id));

    expect((await call('POST', `/v1/admin/dlq/${first.seq}/replay`)).status).toBe(200);
    // One attempt, the stage's own rules: FAILED again, and a dead letter saying which replay.
    const second = await waitFor(() => letterOf(event.record_id, 'non_retryable'));
    expect(second).toMatchObject({
      replay_of: first.seq,
      msg_id: `${event.id}:replay:${first.seq}`,
      deliveries: 1,
      error: expect.stringMatching(/replayed and failed again: .*503/),
    });
    const failed = await failedEvents(event.record_id);
    expect(failed).toHaveLength(2);
    expect(stagesOf(failed[1].data)['order-analysis']?.errors.at(-1)).toMatch(/^replay 1: .*503/);

    // The limit (1) is spent: replaying again escalates the record to a person, once.
    expect((await call('POST', `/v1/admin/dlq/${second.seq}/replay`)).status).toBe(200);
    const escalated = await waitFor(async () =>
      (
        await pipeline.stored<Escalated>('ENRICHMENT', filterOf('enrichment.escalated', { tenant }))
      ).find((m) => m.data.record_id === event.record_id),
    );
    expect(escalated.data.data.reason).toMatch(/^FAILED after 1 retries and 1 reprocess/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await failedEvents(event.record_id)).toHaveLength(2);
    const mine = await Promise.all((await letters()).map((l) => show(l.seq)));
    expect(mine.filter((l) => l.payload?.record_id === event.record_id)).toHaveLength(2);
    expect(await pipeline.completedOf(event.record_id)).toHaveLength(0);
  });

  it('purges only the dead letters that match, and refuses a purge naming no filter', async () => {
    const [event] = await pipeline.receive([exception('DEAD-2')]);
    const fresh = await waitFor(() => letterOf(event.record_id));
    // Another tenant's dead letter, of the same service and reason, dead-lettered just now.
    const other = uniqueName('dlq-other').replace('_', '-');
    const hdrs = natsHeaders();
    hdrs.set(DLQ_HEADERS.reason, 'retries_exhausted: Error: analysis: HTTP 503');
    hdrs.set(DLQ_HEADERS.subject, subjectOf('records.received', { tenant: other, type: 'order' }));
    hdrs.set(DLQ_HEADERS.stream, 'RECORDS');
    hdrs.set(DLQ_HEADERS.sequence, '1');
    hdrs.set(DLQ_HEADERS.deliveries, '2');
    hdrs.set(DLQ_HEADERS.service, 'order-analysis');
    hdrs.set(DLQ_HEADERS.consumer, 'order-analysis-order');
    const otherSeq = (
      await jetstream(pipeline.nc).publish(subjectOf('dlq', { service: 'order-analysis' }), '{}', {
        headers: hdrs,
      })
    ).seq;

    const mineBefore = (await letters()).map((l) => l.seq);
    expect(mineBefore).toHaveLength(4);
    const refused = await call<{ errors: { path: string }[] }>('DELETE', '/v1/admin/dlq');
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => e.path)).toEqual(['all']);
    const badReason = await call<{ errors: { path: string }[] }>(
      'DELETE',
      '/v1/admin/dlq?reason=tired',
    );
    expect(badReason.status).toBe(400);
    expect(badReason.body.errors.map((e) => e.path)).toEqual(['reason']);

    // What was replayed and gave up for retries: the first two records' first dead letters.
    const query = `tenant=${tenant}&reason=retries_exhausted&replayed=true`;
    const dry = await call<{ seqs: number[] }>('DELETE', `/v1/admin/dlq?${query}&dry_run=true`);
    expect(dry.status).toBe(200);
    expect(dry.body.seqs).toHaveLength(2);
    expect(dry.body.seqs).not.toContain(fresh.seq);
    expect(await letters()).toHaveLength(4);
    const purged = await call<{ seqs: number[]; purged: number }>(
      'DELETE',
      `/v1/admin/dlq?${query}`,
    );
    expect(purged.body).toEqual({ dry_run: false, seqs: dry.body.seqs, purged: 2 });
    const left = (await letters()).map((l) => l.seq);
    expect(left).toEqual(mineBefore.filter((seq) => !dry.body.seqs.includes(seq)));
    expect(left).toContain(fresh.seq);
    expect((await call('GET', `/v1/admin/dlq/${otherSeq}`)).status).toBe(200);

    // From the command line: a purge names a filter too.
    const unfiltered = await admin('purge').catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unfiltered).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^--all: name at least one filter/),
    });
    expect(await admin('purge', '--tenant', other, '--dry-run')).toBe(
      `would purge 1 dead letter(s): ${otherSeq}\n`,
    );
    expect(await admin('purge', '--tenant', other)).toBe(`purged 1 dead letter(s): ${otherSeq}\n`);
    expect((await call('GET', `/v1/admin/dlq/${otherSeq}`)).status).toBe(404);
    expect((await letters()).map((l) => l.seq)).toEqual(left);

    // Leave nothing of this suite behind.
    const rest = await call<{ purged: number }>('DELETE', `/v1/admin/dlq?tenant=${tenant}`);
    expect(rest.body.purged).toBe(2);
  });

  it('answers the operator key only', async () => {
    const tenants = await TestTenants.open();
    const { apiKey } = await tenants.create({ prefix: 'dlq' }).finally(() => tenants.close());
    for (const [method, path] of [
      ['GET', '/v1/admin/dlq'],
      ['GET', '/v1/admin/dlq/1'],
      ['POST', '/v1/admin/dlq/1/replay'],
      ['POST', '/v1/admin/dlq/replay'],
      ['DELETE', '/v1/admin/dlq?all=true'],
    ]) {
      const body = method === 'GET' ? undefined : {};
      expect((await call(method, path, body, apiKey)).status).toBe(403);
      expect((await call(method, path, body, 'rk_nobody_0000000000000000')).status).toBe(401);
    }
  });
});
