import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  filterOf,
  filterOfAll,
  STAGE_EVENTS,
  STAGES,
  STREAMS,
  subjectOf,
} from '@refinery/contracts';
import { consumersOf } from '../src';
import {
  publishReceived,
  receivedTranscript,
  seedRecords,
  startPipeline,
  type Pipeline,
} from './support/pipeline';
import { TEST_STAGES } from './support/test-stages';

describe('a record type enrichment leaves alone', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  });
  afterAll(() => pipeline.close());

  it('is never given to a stage: a transcript gets no stage record and no enrichment event', async () => {
    const transcript = receivedTranscript(pipeline.tenant, 'ORD-00000001');
    await publishReceived(jetstream(pipeline.nc), transcript);
    // After it in the stream, an order and an exception, which go all the way through.
    const records = seedRecords(8, 3);
    const mixed = [
      records.find((r) => r.recordType === 'order')!,
      records.find((r) => r.recordType === 'exception')!,
    ];
    const events = await pipeline.receive(mixed);
    await pipeline.waitForCompleted(2);

    const { tenant } = pipeline;
    const announced = await pipeline.stored<{ record_id: string }>(
      STREAMS.RECORDS.name,
      subjectOf('records.received', { tenant, type: 'transcript' }),
    );
    expect(announced.map((m) => m.data.record_id)).toEqual([transcript.record_id]);

    // Order analysis reads one durable per enriched type, each given only its own records.
    const jsm = await jetstreamManager(pipeline.nc);
    const [analysis] = TEST_STAGES;
    const delivered = [];
    for (const { stream, durable, filterSubject } of consumersOf(analysis, pipeline.config)) {
      const info = await jsm.consumers.info(stream, durable);
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      delivered.push([filterSubject, info.delivered.consumer_seq]);
    }
    expect(delivered).toEqual([
      [subjectOf('records.received', { tenant, type: 'order' }), 1],
      [subjectOf('records.received', { tenant, type: 'exception' }), 1],
    ]);

    for (const stage of TEST_STAGES)
      expect(await pipeline.stageRow(stage, transcript.record_id)).toBeUndefined();
    const about = (m: { data: { record_id: string | null } }) =>
      m.data.record_id === transcript.record_id;
    const enrichment = [
      ...(await pipeline.stored(STREAMS.ENRICHMENT.name, filterOfAll(STAGE_EVENTS, { tenant }))),
      ...(await pipeline.completed()),
      ...(await pipeline.stored(STREAMS.LEARNING.name, filterOf('review.requested', { tenant }))),
    ] as { data: { record_id: string | null } }[];
    expect(enrichment.filter(about)).toEqual([]);
    expect(
      enrichment.filter((m) => events.some((e) => e.record_id === m.data.record_id)).length,
    ).toBeGreaterThanOrEqual(2 * STAGES.length);
    // Nor was it dead-lettered, as a stage given a record type it cannot read would do.
    const dead = await pipeline.stored<unknown>(
      STREAMS.DLQ.name,
      subjectOf('dlq', { service: analysis.name }),
    );
    expect(JSON.stringify(dead.map((m) => m.data))).not.toContain(transcript.record_id);
  });
});
