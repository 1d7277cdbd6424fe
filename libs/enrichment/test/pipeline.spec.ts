import { jetstreamManager } from '@nats-io/jetstream';
import type { AiProvider } from '@refinery/ai';
import { randomUUID } from 'node:crypto';
import { filterOf, STAGES, type EventPayload, type StageStatus } from '@refinery/contracts';
import { eventually, storedMessages } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { consumersOf, schemaOfStage, StageRecordsRepository, type Claimed } from '../src';
import { analysisStage, TEST_STAGES } from './support/test-stages';
import {
  enrichesSeedRecords,
  publishReceived,
  receivedEvent,
  seedRecords,
  startPipeline,
  stagesOf,
  type Pipeline,
} from './support/pipeline';
import { jetstream } from '@nats-io/jetstream';

/** Every stage consumer has acked everything it was given. */
async function drained(pipeline: Pipeline) {
  const jsm = await jetstreamManager(pipeline.nc);
  for (const { stream, durable } of TEST_STAGES.flatMap((s) => consumersOf(s, pipeline.config))) {
    const info = await jsm.consumers.info(stream, durable);
    if (info.num_pending + info.num_ack_pending > 0) return false;
  }
  return true;
}

describe('the enrichment pipeline with the local model', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(() => pipeline.close());

  it('turns every received record into exactly one enrichment.completed with all three stages', async () => {
    const events = await enrichesSeedRecords(pipeline);

    const row = await pipeline.stageRow(analysisStage, events[0].record_id!);
    expect(row).toMatchObject({ status: 'COMPLETED', retry_count: 0, errors: [], published: true });
  });

  it("reports each batch to the monitor: every record's status and where its input and output are", async () => {
    const stored = <T>(stream: string, filter: string) =>
      storedMessages<T>(pipeline.nc, stream, filter);
    const { tenant } = pipeline;
    const received = await stored<{ record_id: string }>(
      'RECORDS',
      filterOf('records.received', { tenant }),
    );
    const enrichment = await stored<{ record_id: string | null; type: string }>(
      'ENRICHMENT',
      filterOf('enrichment.done', { stage: 'order-analysis', tenant }),
    );
    const reports = await stored<EventPayload<'enrichment.batch'>>(
      'ENRICHMENT',
      filterOf('enrichment.batch', { tenant }),
    );
    const completed = await pipeline.completed();
    const seqOf = (messages: { seq: number; data: { record_id: string | null } }[], id: string) =>
      messages.find((m) => m.data.record_id === id)?.seq;
    const lines = (stage: string) =>
      new Map(
        reports
          .filter((r) => r.data.data.stage === stage)
          .flatMap((r) => r.data.data.records.map((line) => [line.record_id, line] as const)),
      );
    const [analysis, classification, resolution] = STAGES.map(lines);
    expect(completed.length).toBeGreaterThan(0);
    for (const { data: event } of completed) {
      const id = event.record_id!;
      const first = analysis.get(id)!;
      // Order analysis read records.received; each later stage read the done event before it.
      expect(first).toMatchObject({ status: 'COMPLETED', input_seq: seqOf(received, id) });
      const done = enrichment.find((m) => m.seq === first.output_seq);
      expect(done?.data).toMatchObject({ record_id: id, type: 'enrichment.done' });
      expect(classification.get(id)?.input_seq).toBe(first.output_seq);
      const last = resolution.get(id)!;
      expect(last.input_seq).toBe(classification.get(id)?.output_seq);
      expect(last.output_seq).toBe(seqOf(completed, id));
      expect(last.finished_at).toBe(event.data.completed_at);
    }
    // One report per batch and tenant, each record once per stage.
    expect(reports.every((r) => r.data.record_id === null && r.data.tenant === tenant)).toBe(true);
    const perStage = STAGES.map((stage) =>
      reports.filter((r) => r.data.data.stage === stage).flatMap((r) => r.data.data.records),
    );
    for (const stageLines of perStage) expect(stageLines).toHaveLength(completed.length);
  });

  it('acks a repeated records.received without running or publishing the record again', async () => {
    const [event] = await pipeline.receive(seedRecords(1, 99));
    const isIt = (m: { data: { record_id: string | null } }) =>
      m.data.record_id === event.record_id;
    await eventually(async () => (await pipeline.completed()).some(isIt), 20_000);

    const before = await pipeline.stageRow(analysisStage, event.record_id!);
    // The same record again, under a new message id so the stream keeps both copies.
    await publishReceived(jetstream(pipeline.nc), { ...event, id: `${event.record_id}:again` });
    await eventually(() => drained(pipeline), 10_000);
    const copies = (await pipeline.completed()).filter(isIt);
    expect(copies).toHaveLength(1);
    // Not run again: the stream would drop a second completed event by its id anyway, so
    // the stored attempt time is what shows the stage did no work.
    const after = await pipeline.stageRow(analysisStage, event.record_id!);
    expect(after?.last_attempt_at).toEqual(before?.last_attempt_at);
  });
});

describe('a stage that stored its outcome but crashed before publishing it', () => {
  let pipeline: Pipeline;
  const calls: string[] = [];
  // Any AI call for the crashed record would show the stage ran it twice.
  const provider: AiProvider = {
    name: 'recording',
    version: 'recording:1',
    deterministic: true,
    analyze: async (record) => {
      calls.push(record.recordId);
      return { problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] };
    },
    classify: async () => ({
      label: 'DELIVERY_DELAY',
      confidence: 0.95,
      explanation: [{ feature: 'days_late', weight: 1.2 }],
    }),
    resolve: async () => ({
      action: 'CONTACT_CARRIER',
      automatable: true,
      rationale: 'The carrier holds the parcel.',
      confidence: 0.9,
    }),
  };
  beforeAll(async () => {
    pipeline = await startPipeline({ provider });
  });
  afterAll(() => pipeline.close());

  it('publishes the stored outcome on redelivery instead of calling the AI again', async () => {
    const event = receivedEvent(pipeline.tenant, seedRecords(1, 5)[0]);
    // What the stage stored before the crash: a final outcome, its events not yet out.
    const output = { problems: [{ code: 'DAMAGE_REPORTED', confidence: 0.8 }] };
    await pipeline.apps[0].get(DataSource).query(
      `INSERT INTO ${schemaOfStage(analysisStage)}.stage_records (record_id, tenant, status,
          output, finished_at, provider, model_version, duration_ms, batch_id)
       VALUES ($1, $2, 'COMPLETED', $3, now(), 'earlier', 'earlier:1', 1.5, gen_random_uuid())`,
      [event.record_id, pipeline.tenant, JSON.stringify(output)],
    );

    await publishReceived(jetstream(pipeline.nc), event);
    const [completed] = await pipeline.waitForCompleted(1);

    expect(calls).not.toContain(event.record_id);
    expect(stagesOf(completed.data)['order-analysis']).toMatchObject({
      status: 'COMPLETED',
      output,
      provider: 'earlier',
      model_version: 'earlier:1',
    });
    expect(await pipeline.stageRow(analysisStage, event.record_id!)).toMatchObject({
      published: true,
    });
  });
});

describe('two attempts at one record at once (a redelivery beside a slow batch)', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(() => pipeline.close());

  const outcome = (recordId: string, status: StageStatus, label: string) => ({
    record_id: recordId,
    status,
    retry_count: 0,
    errors: [],
    finished_at: status === 'PENDING' ? null : new Date().toISOString(),
    output: status === 'COMPLETED' ? { problems: [{ code: label, confidence: 0.9 }] } : null,
    confidence: null,
    skip_reason: null,
    provider: label,
    model_version: null,
    duration_ms: 1,
  });

  it('keeps the outcome of the one that finished first; the other stores nothing', async () => {
    const records = pipeline.apps[0].get(StageRecordsRepository);
    const record = { id: randomUUID(), tenant: pipeline.tenant };
    // Both claim before either stores: claiming writes nothing.
    const [first] = (await records.claim([record])).claimed;
    const [second] = (await records.claim([record])).claimed;
    const save = (claim: Claimed, status: StageStatus, label: string) =>
      records.save(
        [{ ...outcome(record.id, status, label), ...claim, tenant: record.tenant }],
        randomUUID(),
      );

    expect(await save(second, 'COMPLETED', 'LATE_SHIPMENT')).toEqual(new Set([record.id]));
    expect(await save(first, 'PENDING', 'DAMAGE_REPORTED')).toEqual(new Set());
    expect(await pipeline.stageRow(analysisStage, record.id)).toMatchObject({
      status: 'COMPLETED',
      provider: 'LATE_SHIPMENT',
    });
    // Finished: a later delivery claims nothing more.
    expect((await records.claim([record])).claimed).toEqual([]);
  });

  it('lets one of two reprocess attempts of a FAILED record store its outcome', async () => {
    const records = pipeline.apps[0].get(StageRecordsRepository);
    const record = { id: randomUUID(), tenant: pipeline.tenant };
    const [claim] = (await records.claim([record])).claimed;
    await records.save(
      [{ ...outcome(record.id, 'FAILED', 'none'), ...claim, tenant: record.tenant }],
      randomUUID(),
    );
    const reprocess = { reprocessLimit: 2, lowConfidence: null };
    const [first] = (await records.claim([record], reprocess)).claimed;
    const [second] = (await records.claim([record], reprocess)).claimed;
    expect([first.reprocess_count, second.reprocess_count]).toEqual([1, 1]);
    const save = (claim: Claimed, label: string) =>
      records.save(
        [{ ...outcome(record.id, 'COMPLETED', label), ...claim, tenant: record.tenant }],
        randomUUID(),
      );

    expect(await save(first, 'LATE_SHIPMENT')).toEqual(new Set([record.id]));
    expect(await save(second, 'DAMAGE_REPORTED')).toEqual(new Set());
    expect(await pipeline.stageRow(analysisStage, record.id)).toMatchObject({
      status: 'COMPLETED',
      provider: 'LATE_SHIPMENT',
      reprocess_count: 1,
    });
  });
});
