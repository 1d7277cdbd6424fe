import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, subjectOf } from '@refinery/contracts';
import { storedMessages, waitFor } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { recordsConsumers } from '../src/projection/projection.controller';
import type { TenantReport } from '../src/report/tenant-report';
import { completedRecord, startMonitor, type Monitor } from './monitor-app';

/** A call transcript as ingestion announces it: a record enrichment leaves alone. */
const transcriptInput = (recordId: string, receivedAt: string) => ({
  record_type: 'transcript',
  source: 'contact-center',
  external_id: recordId,
  received_at: receivedAt,
  payload: { order_number: 'EU-1', channel: 'phone', text: 'Where is my parcel?' },
});

describe('records enrichment leaves alone', () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await startMonitor();
  });
  afterAll(() => monitor.close());

  it('never counts a transcript: its consumers are not even given one', async () => {
    const at = new Date();
    const call = randomUUID();
    await monitor.publish(
      'records.received',
      call,
      transcriptInput(call, at.toISOString()),
      at.toISOString(),
      { type: 'transcript' },
    );
    // After it in the stream, an exception all the way through.
    const record = completedRecord(monitor, 0.9, at);
    await record.received();
    await record.done();
    await record.completed();

    const report = await waitFor(async () => {
      const r = (await monitor.get<TenantReport>(`/api/enrichment/report/${monitor.tenant}`)).body;
      return r.records.completed === 1 && r;
    });
    expect(report.records).toEqual({ received: 1, completed: 1, failed: 0, backlog: 0 });
    expect(report.completeness).toBe(1);

    // The transcript is on the bus...
    const announced = await storedMessages<{ record_id: string }>(
      monitor.nc,
      STREAMS.RECORDS.name,
      subjectOf('records.received', { tenant: monitor.tenant, type: 'transcript' }),
    );
    expect(announced.map((m) => m.data.record_id)).toEqual([call]);
    // ...but no records consumer of the monitor was given it: each delivered only its type.
    // (The completion came with resolution's report: the exception's own delivery may still
    // be on its way, so wait until every records consumer has nothing left.)
    const jsm = await jetstreamManager(monitor.nc);
    const delivered = await waitFor(async () => {
      const seen: Record<string, number> = {};
      for (const { type, durable } of recordsConsumers(monitor.tenant)) {
        const info = await jsm.consumers.info(STREAMS.RECORDS.name, durable);
        if (info.num_pending + info.num_ack_pending > 0) return false;
        seen[type] = info.delivered.consumer_seq;
      }
      return seen;
    });
    expect(delivered).toEqual({ order: 0, exception: 1 });
    const states = await monitor.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM record_states WHERE record_id = $1', [call]);
    expect(states).toEqual([{ n: 0 }]);
  });
});
