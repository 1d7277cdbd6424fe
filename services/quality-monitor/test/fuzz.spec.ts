import {
  conciseReport,
  hostileBodies,
  hostileHttpRequests,
  inParallel,
  sendRequest,
  type FuzzRequest,
  type HttpTarget,
} from '@refinery/testing';
import fc from 'fast-check';
import { OPERATOR_KEY, startMonitor, type Monitor } from './monitor-app';
import { request } from './rules-support';

const PARALLEL = 16;
const RULE_RUNS = 90;
const THRESHOLD_RUNS = 45;

/** A table rule anyone could write; the name makes each one new. */
const validRule = fc.record({
  name: fc.uuid().map((id) => `fuzz-${id}`),
  type: fc.constant('not_null'),
  table: fc.constant('ingestion.records'),
  column: fc.constantFrom('external_id', 'source', 'type'),
  severity: fc.constantFrom('info', 'warning', 'error'),
  description: fc.string({ maxLength: 200 }),
});

const ruleRules = {
  fields: [
    { path: ['name'], type: 'string', required: true },
    { path: ['type'], type: 'string', required: true },
    { path: ['table'], type: 'string', required: true },
    { path: ['column'], type: 'string', required: true, maxLength: 300 },
    { path: ['severity'], type: 'string' },
    { path: ['description'], type: 'string', maxLength: 2000 },
  ],
  openObjects: [],
} as const;

/** Threshold overrides that keep each warning gentler than its critical level. */
const validThresholds = fc.constantFrom(
  { completeness: { warning: 0.9, critical: 0.8 } },
  { failure_rate: { critical: 0.2 } },
  { backlog: { critical: 5000 }, quality_score: { warning: 85, critical: 60 } },
);

/** What the monitor answered, judged: never a 5xx, a 4xx for what must be refused. */
function judge(requests: FuzzRequest[], answers: { status: number; body: unknown }[]): number {
  let refused = 0;
  requests.forEach((r, i) => {
    const { status, body } = answers[i];
    const where = `${r.kind}: answered ${status} ${JSON.stringify(body).slice(0, 300)}`;
    if (status >= 500) throw new Error(`5xx for ${where}`);
    if (r.refuse) {
      if (status < 400 || status >= 500) throw new Error(`expected a 4xx for ${where}`);
      refused++;
    } else if (status !== 200 && status !== 201) throw new Error(`expected success for ${where}`);
  });
  return refused;
}

describe("fuzzing the quality monitor's API with hostile requests", () => {
  let monitor: Monitor;

  beforeAll(async () => {
    monitor = await startMonitor();
  });

  afterAll(async () => {
    const { body } = await request<{ rules: { name: string }[] }>(
      monitor.url,
      'GET',
      '/api/quality/rules',
    );
    for (const { name } of body.rules.filter((r) => r.name.startsWith('fuzz-')))
      await request(monitor.url, 'DELETE', `/api/quality/rules/${name}`);
    await monitor.close();
  });

  const run = (
    target: HttpTarget,
    bodies: fc.Arbitrary<Record<string, unknown>>,
    rules: Parameters<typeof hostileBodies>[1],
    runs: number,
  ) => {
    let refused = 0;
    return fc
      .assert(
        fc.asyncProperty(
          fc.array(hostileHttpRequests(hostileBodies(bodies, rules), target), {
            minLength: PARALLEL,
            maxLength: PARALLEL,
          }),
          async (requests) => {
            const answers = await inParallel(requests, PARALLEL, (r) =>
              sendRequest(monitor.url, r),
            );
            refused += judge(requests, answers);
          },
        ),
        { numRuns: runs, endOnFailure: true, reporter: conciseReport },
      )
      .then(() => refused);
  };

  it('refuses every bad rule and threshold change with a 4xx and keeps serving', async () => {
    const refused = await Promise.all([
      run(
        { method: 'POST', path: '/api/quality/rules', key: OPERATOR_KEY, keyHeader: 'x-api-key' },
        validRule,
        ruleRules,
        RULE_RUNS,
      ),
      run(
        {
          method: 'PUT',
          path: `/api/enrichment/thresholds/${monitor.tenant}`,
          key: monitor.apiKey,
          keyHeader: 'x-api-key',
        },
        validThresholds,
        { fields: [], openObjects: [] },
        THRESHOLD_RUNS,
      ),
    ]);
    expect(refused[0] + refused[1]).toBeGreaterThan(1000);
    process.stdout.write(
      `fuzz: ${(RULE_RUNS + THRESHOLD_RUNS) * PARALLEL} requests to the monitor, ${refused[0] + refused[1]} refused\n`,
    );
    expect((await fetch(`${monitor.url}/health/ready`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The thresholds are still what the last accepted change made them: readable, sane.
    const { status, body } = await monitor.get<{ thresholds: Record<string, unknown> }>(
      `/api/enrichment/thresholds/${monitor.tenant}`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body.thresholds)).toContain('completeness');
  }, 120_000);
});
