import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENTS, eventOf, filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import { storedMessages, waitFor } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import type { TenantReport } from '../src/report/tenant-report';
import type { SweepResult } from '../src/reprocess/sweep.use-case';
import { input, startMonitor, type Monitor } from './monitor-app';

type Reprocess = EventPayload<'enrichment.reprocess'>;

/**
 * The monitor keeps no copy of what it drives again: it reads the input back from its stream
 * by the sequence a batch report gave.
 */
describe('driving a record again from the streams', () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await startMonitor();
  });
  afterAll(() => monitor.close());

  const requests = () =>
    storedMessages<Reprocess>(
      monitor.nc,
      'ENRICHMENT',
      filterOf('enrichment.reprocess', { tenant: monitor.tenant }),
    );
  const sweep = () =>
    monitor.send<SweepResult>('POST', `/api/enrichment/process/${monitor.tenant}`);

  it('sends classification the done event order analysis published, read by its sequence', async () => {
    const { tenant } = monitor;
    const id = randomUUID();
    const at = new Date().toISOString();
    await monitor.publish('records.received', id, input(id, at), at, { type: 'exception' });
    // Order analysis's done event, as it is in ENRICHMENT.
    const analysis = {
      status: 'COMPLETED',
      output: { problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] },
      retry_count: 0,
    };
    const done = eventOf(
      'enrichment.done',
      {
        id: `${id}:order-analysis:done`,
        tenant,
        occurred_at: at,
        record_id: id,
        data: {
          stage: 'order-analysis',
          input: input(id, at),
          stages: {
            'order-analysis': {
              ...analysis,
              skip_reason: null,
              errors: [],
              provider: 'local',
              model_version: 'local:1',
              first_attempt_at: at,
              finished_at: at,
              duration_ms: 1,
            },
          },
        },
      } as never,
      { stage: 'order-analysis' },
    );
    expect(EVENTS['enrichment.done'].schema.safeParse(done.payload).error).toBeUndefined();
    const ack = await jetstream(monitor.nc).publish(done.subject, JSON.stringify(done.payload));
    await monitor.report(
      'order-analysis',
      [{ record_id: id, status: 'COMPLETED', output_seq: ack.seq }],
      at,
    );
    const errors = ['attempt 1: HTTP 503', 'attempt 2: HTTP 503'];
    await monitor.report('classification', [{ record_id: id, status: 'FAILED', errors }], at);

    const swept = await waitFor(async () => {
      const res = await sweep();
      return res.body.requested > 0 && res.body;
    });
    expect(swept.records).toEqual([{ record_id: id, stage: 'classification', reason: 'failed' }]);
    const [request] = await requests();
    expect(request.subject).toBe(
      subjectOf('enrichment.reprocess', { stage: 'classification', tenant }),
    );
    expect(request.data.data).toEqual({
      stage: 'classification',
      input: input(id, at),
      stages: (done.payload.data as { stages: unknown }).stages,
      reason: 'failed',
    });
  });

  it('sends the first stage records.received itself, and skips a record whose input is gone', async () => {
    const id = randomUUID();
    const lost = randomUUID();
    const at = new Date().toISOString();
    await monitor.publish('records.received', id, input(id, at), at, { type: 'exception' });
    const gone = await monitor.publish('records.received', lost, input(lost, at), at, {
      type: 'exception',
    });
    await waitFor(async () => {
      const report = await monitor.get<TenantReport>(`/api/enrichment/report/${monitor.tenant}`);
      return report.body.records.received === 3;
    });
    // As if RECORDS had aged it out.
    const jsm = await jetstreamManager(monitor.nc);
    await jsm.streams.deleteMessage('RECORDS', gone.seq);
    const errors = ['attempt 1: HTTP 503'];
    await monitor.report(
      'order-analysis',
      [
        { record_id: id, status: 'FAILED', errors },
        { record_id: lost, status: 'FAILED', errors },
      ],
      at,
    );
    const before = (await requests()).length;
    const swept = await waitFor(async () => {
      const res = await sweep();
      return res.body.requested > 0 && res.body;
    });
    expect(swept.records).toEqual([{ record_id: id, stage: 'order-analysis', reason: 'failed' }]);
    expect(swept.inputs_missing).toBe(1);
    const latest = (await requests()).slice(before);
    expect(latest.map((r) => r.data.record_id)).toEqual([id]);
    expect(latest[0].data.data).toMatchObject({
      stage: 'order-analysis',
      input: input(id, at),
      stages: {},
    });
  });
});
