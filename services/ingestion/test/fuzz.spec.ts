import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { filterOf, STREAMS, subjectOf, tenantFilters } from '@refinery/contracts';
import {
  conciseReport,
  eventually,
  FuzzRequest,
  fuzzOverHttp,
  hostileHttpRequests,
  inParallel,
  sendRequest,
  storedMessages,
} from '@refinery/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { BatchRequest, bodiesOf, httpCases, natsCases } from './fuzz-cases';
import { Ingestion, newTenant, startIngestion } from './ingestion-app';

/** HTTP requests go out PARALLEL at a time, NATS messages NATS_RUN at a time. */
const HTTP_RUNS = 550;
const PARALLEL = 16;
const NATS_RUNS = 120;
const NATS_RUN = 40;
const UNAUTHENTICATED = 200;

const is4xx = (status: number) => status >= 400 && status < 500;
const externalIdOf = (event: unknown) => (event as { external_id: string }).external_id;
const dataOf = (event: unknown) => JSON.stringify((event as { data: unknown }).data);

/** What was sent, and so what the service must have done. */
class Tally {
  /** Valid events by external id, with their data as sent. */
  readonly kept = new Map<string, string>();
  /** NATS messages that must be rejected under the test's tenant. */
  refused = 0;
  ghosts = 0;
  hostile = 0;

  keep(event: unknown): void {
    this.kept.set(externalIdOf(event), dataOf(event));
  }

  /** Checks one HTTP answer; throws naming the case when it is wrong. */
  judge(request: FuzzRequest | BatchRequest, status: number, body: unknown): void {
    const where = `${request.kind}: answered ${status} ${JSON.stringify(body).slice(0, 300)}`;
    if (status >= 500) throw new Error(`5xx for ${where}`);
    if (request.refuse && !is4xx(status)) throw new Error(`expected a 4xx for ${where}`);
    if ('events' in request) {
      this.hostile += request.events.filter((e) => e.refuse).length;
      if (request.refuse) return;
      const results = (body as { results?: { status: string }[] }).results ?? [];
      request.events.forEach((event, i) => {
        const want = event.refuse ? 'invalid' : 'accepted';
        if (status !== 202 || results[i]?.status !== want)
          throw new Error(`events[${i}] (${event.kind}) should be ${want}: ${where}`);
        if (!event.refuse) this.keep(event.json);
      });
      return;
    }
    if (request.refuse) {
      this.hostile++;
      return;
    }
    if (status !== 202 || (body as { status?: string }).status !== 'accepted')
      throw new Error(`expected 202 accepted for ${where}`);
    this.keep(request.json);
  }
}

describe('fuzzing ingestion with hostile requests', () => {
  let ingestion: Ingestion;
  let db: DataSource;
  let slug: string;
  let tenantId: string;
  let apiKey: string;
  const ghost = `ghost-${Date.now().toString(36)}`;

  beforeAll(async () => {
    ingestion = await startIngestion();
    db = ingestion.app.get(DataSource);
    const tenant = await newTenant(ingestion, 1_000_000);
    ({ slug, apiKey } = tenant);
    tenantId = tenant.tenant.id;
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(ingestion.nc);
    for (const { stream, filter } of [...tenantFilters(slug), ...tenantFilters(ghost)])
      await jsm.streams.purge(STREAMS[stream].name, { filter }).catch(() => undefined);
    await ingestion.close();
  });

  const count = async (sql: string, param: string): Promise<number> =>
    (await db.query(sql, [param]))[0].n;
  const rejectionsOf = (tenant: string) =>
    count('SELECT count(*)::int AS n FROM rejections WHERE tenant = $1', tenant);
  const recordsOf = (id: string) =>
    count('SELECT count(*)::int AS n FROM records WHERE tenant_id = $1', id);
  const target = () => ({
    method: 'POST' as const,
    path: '/v1/events',
    key: apiKey,
    keyHeader: 'x-api-key',
  });

  const overHttp = (tally: Tally): Promise<void> =>
    fuzzOverHttp(
      ingestion.url,
      httpCases(target()),
      { runs: HTTP_RUNS, parallel: PARALLEL },
      (request, status, body) => tally.judge(request, status, body),
    );

  /** Publishes; what became of each message is judged once the service took them all. */
  function overNats(tally: Tally): Promise<void> {
    const js = jetstream(ingestion.nc);
    return fc.assert(
      fc.asyncProperty(
        fc.array(natsCases(slug, ghost), { minLength: NATS_RUN, maxLength: NATS_RUN }),
        async (cases) => {
          await Promise.all(cases.map((c) => js.publish(c.subject, c.payload)));
          cases.forEach((c) => {
            if (!c.refuse) return tally.keep(c.event);
            tally.hostile++;
            if (c.ghost) tally.ghosts++;
            else tally.refused++;
          });
        },
      ),
      { numRuns: NATS_RUNS, endOnFailure: true, reporter: conciseReport },
    );
  }

  /** Last: an address that fails to authenticate may be refused for a while, whatever it sends. */
  async function withoutValidKey(tally: Tally): Promise<void> {
    const requests = fc.sample(
      hostileHttpRequests(bodiesOf(true), target(), { auth: false }),
      UNAUTHENTICATED,
    );
    const answers = await inParallel(requests, PARALLEL, (r) => sendRequest(ingestion.url, r));
    answers.forEach(({ status }, i) => {
      // A body that is not a JSON object or array is refused before the key is looked at.
      const { json, kind } = requests[i];
      const parsed = typeof json === 'object' && json !== null;
      if (parsed ? status !== 401 && status !== 429 : !is4xx(status))
        throw new Error(`${kind} answered ${status}`);
    });
    tally.hostile += answers.length;
  }

  it('answers every bad request with a 4xx or a recorded rejection, never a 5xx, and keeps every valid event exactly once', async () => {
    const started = Date.now();
    const tally = new Tally();
    await Promise.all([overHttp(tally), overNats(tally)]);
    await withoutValidKey(tally);

    await eventually(
      async () =>
        (await rejectionsOf(slug)) >= tally.refused &&
        (await rejectionsOf(ghost)) >= tally.ghosts &&
        (await recordsOf(tenantId)) >= tally.kept.size,
      60_000,
      250,
    );

    // The same process serves, and is still ready.
    expect((await fetch(`${ingestion.url}/health/ready`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tally.hostile).toBeGreaterThanOrEqual(10_000);

    // Each refused message is a rejection, kept once and announced under its id.
    const rejected: { id: string }[] = await db.query(
      'SELECT id FROM rejections WHERE tenant = $1',
      [slug],
    );
    expect(rejected).toHaveLength(tally.refused);
    expect(await rejectionsOf(ghost)).toBe(tally.ghosts);
    const announced = subjectOf('ingest.rejected', { tenant: slug });
    const announcements = await storedMessages<{ data: { rejection_id: string } }>(
      ingestion.nc,
      'INGEST',
      announced,
    );
    expect(announcements.map((m) => m.data.data.rejection_id).sort()).toEqual(
      rejected.map((r) => r.id).sort(),
    );

    // Each valid event is stored once, as sent, and published once.
    const rows: { external_id: string; data: string }[] = await db.query(
      'SELECT external_id, data::text AS data FROM records WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toHaveLength(tally.kept.size);
    for (const row of rows)
      expect(JSON.stringify(JSON.parse(row.data))).toBe(tally.kept.get(row.external_id));
    const published = await storedMessages<{
      data: { external_id: string; payload: unknown };
    }>(ingestion.nc, 'RECORDS', filterOf('records.received', { tenant: slug }));
    expect(published).toHaveLength(tally.kept.size);
    expect(new Set(published.map((m) => m.headers['Nats-Msg-Id'])).size).toBe(tally.kept.size);
    for (const { data } of published)
      expect(JSON.stringify(data.data.payload)).toBe(tally.kept.get(data.data.external_id));

    process.stdout.write(
      `fuzz: ${tally.hostile} hostile requests and messages, ${tally.kept.size} valid events, ${Date.now() - started} ms\n`,
    );
  }, 240_000);
});
