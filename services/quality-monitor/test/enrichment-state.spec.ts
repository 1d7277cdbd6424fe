import { waitFor } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReportRepository } from '../src/report/report.repository';
import type { TenantReport } from '../src/report/tenant-report';
import { completedRecord, input, startMonitor, type Monitor } from './monitor-app';

describe('the enrichment state projection', () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await startMonitor();
  });
  afterAll(() => monitor.close());

  const reportOf = async () =>
    (await monitor.get<TenantReport>(`/api/enrichment/report/${monitor.tenant}`)).body;

  it('knows where every record stands: completed, failed, waiting for a retry', async () => {
    const now = new Date();
    const t = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const tenant = monitor.tenant;

    // Two records all the way through, one confident and one sent for review.
    const confident = completedRecord(monitor, 0.93, now);
    const unsure = completedRecord(monitor, 0.41, now);
    for (const r of [confident, unsure]) {
      await r.received();
      await r.done();
      await r.completed();
    }
    // One that order analysis gave up on, and one waiting for its second attempt.
    const failed = randomUUID();
    const waiting = randomUUID();
    for (const id of [failed, waiting]) {
      await monitor.publish('records.received', id, input(id, t(0)), t(0), { type: 'exception' });
    }
    const errors = ['attempt 1: HTTP 503', 'attempt 2: HTTP 503', 'attempt 3: HTTP 503'];
    // One report with both: a batch holds records in every state.
    await monitor.report(
      'order-analysis',
      [
        { record_id: failed, status: 'FAILED', errors, received_at: t(0), finished_at: t(40) },
        { record_id: waiting, status: 'PENDING', errors: [errors[0]], received_at: t(0) },
      ],
      t(15),
    );

    const figures = await waitFor(async () => {
      const r = await reportOf();
      return r.records.received === 4 && r.records.completed + r.records.failed === 3 && r;
    });
    expect(figures).toMatchObject({
      records: { received: 4, completed: 2, failed: 1, backlog: 1 },
      completeness: 0.5,
      failure_rate: 0.3333,
      high_confidence_rate: 0.5,
      latency_ms: { avg: 30 },
      // 100 x (0.4 x completeness + 0.3 x high-confidence rate + 0.3 x (1 - failure rate))
      quality_score: 55,
    });
    expect(figures.stages['order-analysis'].statuses).toEqual({
      COMPLETED: 2,
      FAILED: 1,
      PENDING: 1,
    });
    expect(figures.stages.resolution.statuses).toEqual({ COMPLETED: 1, SKIPPED: 1 });
    expect(figures.confidence_histogram[4]).toEqual({ from: 0.4, to: 0.5, records: 1 });
    expect(figures.confidence_histogram[9]).toEqual({ from: 0.9, to: 1, records: 1 });

    const backlog = await monitor.get<{ records: { record_id: string; stages: unknown }[] }>(
      `/api/enrichment/backlog/${tenant}`,
    );
    expect(backlog.body.records).toEqual([
      expect.objectContaining({
        record_id: waiting,
        stages: {
          'order-analysis': expect.objectContaining({ status: 'PENDING', retry_count: 1 }),
        },
      }),
    ]);

    const health = await monitor.get<{
      status: string;
      checks: { name: string; status: string }[];
    }>(`/api/enrichment/health/${tenant}`);
    expect(health.body.status).toBe('CRITICAL');
    expect(Object.fromEntries(health.body.checks.map((c) => [c.name, c.status]))).toEqual({
      completeness: 'CRITICAL',
      quality_score: 'CRITICAL',
      backlog: 'OK',
      failure_rate: 'CRITICAL',
      incomplete_after_day: 'OK',
      over_retry_limit: 'OK',
    });

    const metrics = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
    const series = (name: string) =>
      new RegExp(`^${name}\\{tenant="${tenant}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1];
    expect(series('refinery_quality_backlog_records')).toBe('1');
    expect(series('refinery_quality_completeness_ratio')).toBe('0.5');
    expect(series('refinery_quality_score')).toBe('55');
  });

  it('ends in the same state whatever the order and however often events arrive', async () => {
    const now = new Date();
    const record = completedRecord(monitor, 0.88, now);
    // Completed first, then the older events, then every one of them again.
    await record.completed();
    await record.done();
    await record.received();
    const late = new Date(now.getTime() + 5).toISOString();
    const retry = { record_id: record.id, status: 'PENDING' as const, errors: ['late'] };
    await monitor.report('order-analysis', [retry], late);
    for (const again of [record.received, record.done, record.completed]) await again();

    const figures = await waitFor(async () => {
      const r = await reportOf();
      return r.records.received === 5 && r.records.completed === 3 && r;
    });
    expect(figures.records).toEqual({ received: 5, completed: 3, failed: 1, backlog: 1 });
    // The stale retry did not pull the finished stage back to PENDING.
    expect(figures.stages['order-analysis'].statuses).toEqual({
      COMPLETED: 3,
      FAILED: 1,
      PENDING: 1,
    });
  });

  it("answers 404 for any tenant but the key's own, even one that cannot exist", async () => {
    const res = await monitor.get<{ status: number; detail: string }>(
      '/api/enrichment/report/Not_A_Slug!',
    );
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('tenant "Not_A_Slug!" does not exist');
  });
});

describe('the tenants a monitor without QUALITY_TENANT follows', () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await startMonitor();
  });
  afterAll(() => monitor.close());

  it('lists every tenant with records once, in order', async () => {
    const db = monitor.app.get(DataSource);
    const prefix = `${monitor.tenant}-list`;
    const seen = [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
    await db.query(
      `INSERT INTO record_states (record_id, tenant, received_at)
       SELECT gen_random_uuid(), t, now() FROM unnest($1::text[]) AS t`,
      [seen],
    );
    try {
      const tenants = await monitor.app.get(ReportRepository).tenants();
      expect(tenants.filter((t) => t.startsWith(prefix))).toEqual([
        `${prefix}-a`,
        `${prefix}-b`,
        `${prefix}-c`,
      ]);
      // No tenant twice, whatever other suites have left.
      expect(new Set(tenants).size).toBe(tenants.length);
    } finally {
      await db.query(`DELETE FROM record_states WHERE tenant LIKE $1`, [`${prefix}-%`]);
    }
  });
});
