import { filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import {
  exception,
  scriptedLlm,
  startStageServices,
  stagesOf,
  type StageServices,
} from '@refinery/enrichment/testing';
import { errorReply, FakeOpenAiServer, storedMessages, waitFor } from '@refinery/testing';
import { startMonitor, type Monitor } from './support/monitor-process';

type AlertEvent = EventPayload<'alerts.changed'>;
type Failed = EventPayload<'enrichment.failed'>;

/** The parts of the monitor's answers these tests read. */
interface TenantReport {
  records: { failed: number; completed: number; backlog: number };
  stages: Record<string, { statuses: Record<string, number | undefined> }>;
  integrity: { escalated: number };
}
interface SweepResult {
  requested: number;
}

/**
 * The completeness guarantee across services: the three stages and the quality monitor, each
 * its own process, following one tenant, with an AI provider that is down until the test says so.
 */
describe('guaranteed completeness', () => {
  const outage = { on: true };
  let server: FakeOpenAiServer;
  let pipeline: StageServices;
  let monitor: Monitor;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
    scriptedLlm(server, (_task, order) =>
      order.startsWith('DEAD') || outage.on
        ? errorReply(503, 'The model is overloaded')
        : undefined,
    );
    pipeline = await startStageServices({
      llm: server,
      env: {
        ENRICHMENT_RETRY_SCHEDULE: '200ms',
        ENRICHMENT_REPROCESS_LIMIT: '1',
      },
    });
    monitor = await startMonitor({
      QUALITY_TENANT: pipeline.tenant,
      QUALITY_REPROCESS_COOLDOWN: '0',
      QUALITY_ALERT_INTERVAL: '200ms',
    });
  }, 60_000);
  afterAll(async () => {
    await monitor?.close();
    await pipeline?.close();
    await server?.close();
  });

  const report = async () =>
    (await monitor.get<TenantReport>(`/api/enrichment/report/${pipeline.tenant}`)).body;
  const processNow = async () => {
    const res = await monitor.send<SweepResult>(
      'POST',
      `/api/enrichment/process/${pipeline.tenant}`,
    );
    expect(res.status).toBe(202);
    return res.body;
  };
  const alertChanges = async () =>
    (
      await storedMessages<AlertEvent>(
        pipeline.nc,
        'ALERTS',
        filterOf('alerts.changed', { tenant: pipeline.tenant }),
      )
    ).map((m) => `${m.data.data.alert}/${m.data.data.severity}/${m.data.data.state}`);
  /** What order analysis reported for the record in its failed events, latest last. */
  const analysisFailures = async (recordId: string | null) =>
    (
      await pipeline.stored<Failed>(
        'ENRICHMENT',
        subjectOf('enrichment.failed', { stage: 'order-analysis', tenant: pipeline.tenant }),
      )
    )
      .filter((m) => m.data.record_id === recordId)
      .map((m) => stagesOf(m.data)['order-analysis']);

  it('re-drives a record that failed during an outage until it completes, and the alert resolves', async () => {
    const [event] = await pipeline.receive([exception('DOWN-1')]);
    await waitFor(async () => (await report()).records.failed === 1);
    await waitFor(async () => (await alertChanges()).includes('completeness/critical/firing'));

    outage.on = false;
    const sweep = await processNow();
    expect(sweep).toMatchObject({
      requested: 1,
      by_stage: { 'order-analysis': 1 },
      by_reason: { failed: 1 },
      records: [{ record_id: event.record_id, stage: 'order-analysis', reason: 'failed' }],
    });

    const completed = await pipeline.waitForCompleted(1);
    expect(completed.map((m) => m.data.record_id)).toEqual([event.record_id]);
    await waitFor(async () => (await report()).records.completed === 1);
    expect((await report()).records).toMatchObject({ failed: 0, backlog: 0 });
    await waitFor(async () => (await alertChanges()).includes('completeness/critical/resolved'));
    // Nothing left to drive.
    expect((await processNow()).requested).toBe(0);
  });

  it('escalates a record still failing past the reprocess limit, once, and stops asking', async () => {
    const [event] = await pipeline.receive([exception('DEAD-1')]);
    const failedNow = async () => (await report()).stages['order-analysis'].statuses.FAILED ?? 0;
    await waitFor(async () => (await failedNow()) === 1);

    // The one attempt the limit allows, which the stage reports as failed again.
    expect((await processNow()).requested).toBe(1);
    const again = await waitFor(async () =>
      (await analysisFailures(event.record_id)).find((r) =>
        r?.errors.some((e) => e.startsWith('reprocess 1')),
      ),
    );
    expect(again).toMatchObject({ status: 'FAILED', output: null });
    // The failed attempt is not retried on its own: escalation waits for the next request.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await report()).integrity.escalated).toBe(0);

    // Past it: the stage escalates instead, and the monitor stops asking.
    expect((await processNow()).requested).toBe(1);
    await waitFor(async () => (await report()).integrity.escalated === 1);
    const integrity = await monitor.get<Record<string, number>>(
      `/api/enrichment/integrity/${pipeline.tenant}`,
    );
    expect(integrity.body).toMatchObject({
      escalated: 1,
      incomplete_after_day: 0,
      over_retry_limit: 0,
    });
    expect((await processNow()).requested).toBe(0);

    const reviews = await pipeline.stored<EventPayload<'review.requested'>>(
      'LEARNING',
      subjectOf('review.requested', { tenant: pipeline.tenant }),
    );
    expect(reviews.map((m) => [m.data.record_id, m.data.data.output])).toEqual([
      [event.record_id, null],
    ]);
  });
});
