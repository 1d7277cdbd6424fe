import { jetstreamManager } from '@nats-io/jetstream';
import { filterOf, STREAMS, tenantFilters, type EventPayload } from '@refinery/contracts';
import {
  FuzzRequest,
  fuzzOverHttp,
  hostileHttpRequests,
  inParallel,
  sendRequest,
  storedMessages,
} from '@refinery/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { BatchRequest, callBodies, segmentCases } from './behavior-fuzz-cases';
import { Ingestion, newTenant, startIngestion } from './ingestion-app';

/** Requests go out PARALLEL at a time. */
const HTTP_RUNS = 250;
const PARALLEL = 16;
const UNAUTHENTICATED = 100;

const is4xx = (status: number) => status >= 400 && status < 500;
type Call = { messageId: string; properties?: unknown; traits?: unknown };
type Behavior = EventPayload<'records.behavior'>;

/** What was sent, and so what must have been published. */
class Tally {
  /** Valid calls by messageId: their kind and their properties or traits as sent. */
  readonly kept = new Map<string, { kind: string; bag: string }>();
  hostile = 0;

  keep(kind: string, json: unknown): void {
    const call = json as Call;
    this.kept.set(call.messageId, {
      kind,
      bag: JSON.stringify((kind === 'track' ? call.properties : call.traits) ?? {}),
    });
  }

  /** Checks one answer; throws naming the case when it is wrong. */
  judge(request: (FuzzRequest & { route?: string }) | BatchRequest, status: number, body: unknown) {
    const where = `${request.kind} to ${request.path}: answered ${status} ${JSON.stringify(body).slice(0, 300)}`;
    if (status >= 500) throw new Error(`5xx for ${where}`);
    if (request.refuse && !is4xx(status)) throw new Error(`expected a 4xx for ${where}`);
    if ('calls' in request) {
      this.hostile += request.calls.filter((c) => c.refuse).length;
      if (request.refuse) return;
      const errors = (body as { errors?: { path: string }[] }).errors ?? [];
      const named = new Set(errors.map((e) => Number(/^batch\[(\d+)\]/.exec(e.path)?.[1])));
      request.calls.forEach((call, i) => {
        if (status !== 200 || named.has(i) !== call.refuse)
          throw new Error(
            `batch[${i}] (${call.kind}) should be ${call.refuse ? 'refused' : 'kept'}: ${where}`,
          );
        if (!call.refuse) this.keep(call.route, call.json);
      });
      return;
    }
    if (request.refuse) {
      this.hostile++;
      return;
    }
    if (status !== 200 || (body as { success?: boolean }).success !== true)
      throw new Error(`expected 200 {"success": true} for ${where}`);
    this.keep(request.route!, request.json);
  }
}

describe('fuzzing the Segment routes with hostile requests', () => {
  let ingestion: Ingestion;
  let slug: string;
  let tenantId: string;
  let apiKey: string;

  beforeAll(async () => {
    ingestion = await startIngestion();
    const tenant = await newTenant(ingestion, 1_000_000);
    ({ slug, apiKey } = tenant);
    tenantId = tenant.tenant.id;
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(ingestion.nc);
    for (const { stream, filter } of tenantFilters(slug))
      await jsm.streams.purge(STREAMS[stream].name, { filter }).catch(() => undefined);
    await ingestion.close();
  });

  const target = () => ({ method: 'POST' as const, key: apiKey, keyHeader: 'x-api-key' });

  it('answers every bad call with a 4xx, never a 5xx, and publishes every valid call exactly once, as sent', async () => {
    const started = Date.now();
    const tally = new Tally();
    await fuzzOverHttp(
      ingestion.url,
      segmentCases(target()),
      { runs: HTTP_RUNS, parallel: PARALLEL },
      (request, status, body) => tally.judge(request, status, body),
    );

    // Last: an address that fails to authenticate may be refused for a while.
    const unauthenticated = fc.sample(
      hostileHttpRequests(
        callBodies(false, 'track'),
        { ...target(), path: '/v1/track' },
        {
          auth: false,
        },
      ),
      UNAUTHENTICATED,
    );
    const answers = await inParallel(unauthenticated, PARALLEL, (r) =>
      sendRequest(ingestion.url, r),
    );
    answers.forEach(({ status }, i) => {
      const { json, kind } = unauthenticated[i];
      const parsed = typeof json === 'object' && json !== null;
      if (parsed ? status !== 401 && status !== 429 : !is4xx(status))
        throw new Error(`${kind} answered ${status}`);
    });
    tally.hostile += answers.length;

    expect((await fetch(`${ingestion.url}/health/ready`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tally.hostile).toBeGreaterThanOrEqual(2_000);
    expect(tally.kept.size).toBeGreaterThanOrEqual(300);

    // Each valid call published once, on its kind's subject, as sent; nothing else.
    const published = await storedMessages<Behavior>(
      ingestion.nc,
      'RECORDS',
      filterOf('records.behavior', { tenant: slug }),
    );
    expect(published).toHaveLength(tally.kept.size);
    for (const { subject, data } of published) {
      const sent = tally.kept.get(data.data.message_id);
      expect(sent?.kind).toBe(data.data.kind);
      expect(subject.endsWith(`.${data.data.kind}`)).toBe(true);
      const bag = data.data.kind === 'track' ? data.data.properties : data.data.traits;
      expect(JSON.stringify(bag)).toBe(sent?.bag);
    }
    const [{ n }] = await ingestion.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM records WHERE tenant_id = $1', [tenantId]);
    expect(n).toBe(0);

    process.stdout.write(
      `behavior fuzz: ${tally.hostile} hostile requests and calls, ${tally.kept.size} valid calls, ${Date.now() - started} ms\n`,
    );
  }, 240_000);
});
