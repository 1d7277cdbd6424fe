import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { generateSeedSet, type SeedExample } from '@refinery/ai';
import {
  eventOf,
  STAGES,
  subjectOf,
  type EventPayload,
  type ReceivedRecord,
  type StageReports,
} from '@refinery/contracts';
import { eventually, storedMessages, waitFor, type StoredMessage } from '@refinery/testing';
import { randomUUID } from 'node:crypto';

export type Completed = EventPayload<'enrichment.completed'>;
export type Received = EventPayload<'records.received'>;

/**
 * What a test does to a pipeline from the outside, over NATS only: the same whether the
 * stages run in the test's process (startPipeline) or as services of their own.
 */
export function pipelineClient(nc: NatsConnection, tenant: string) {
  const js = jetstream(nc);
  const client = {
    tenant,
    nc,
    /** Publishes records.received for each record, as ingestion does; returns the envelopes. */
    async receive(records: SeedExample['record'][]): Promise<Received[]> {
      const events = records.map((record) => receivedEvent(tenant, record));
      await Promise.all(events.map((event) => publishReceived(js, event)));
      return events;
    },
    completed: () =>
      storedMessages<Completed>(nc, 'ENRICHMENT', subjectOf('enrichment.completed', { tenant })),
    /** The completed events of one record stored so far: one, or none yet. */
    completedOf: async (recordId: string | null) =>
      (await client.completed()).filter((m) => m.data.record_id === recordId),
    /** Waits for the completed event of one record. */
    waitForCompletedOf: (recordId: string | null) =>
      waitFor(async () => (await client.completedOf(recordId))[0]),
    /** Waits until at least `count` completed events are stored, then returns them all. */
    async waitForCompleted(count: number, timeoutMs = 20_000) {
      let stored: StoredMessage<Completed>[] = [];
      await eventually(async () => {
        stored = await client.completed();
        return stored.length >= count;
      }, timeoutMs);
      return stored;
    },
    stored: <T>(stream: string, filter: string): Promise<StoredMessage<T>[]> =>
      storedMessages<T>(nc, stream, filter),
  };
  return client;
}

export type PipelineClient = ReturnType<typeof pipelineClient>;

export function receivedEvent(tenant: string, record: SeedExample['record']): Received {
  const id = randomUUID();
  const data = {
    record_type: record.recordType,
    source: 'test',
    external_id: id,
    received_at: new Date().toISOString(),
    payload: record.payload as Record<string, unknown>,
  } as Received['data'];
  const fields = { id: `${id}:received`, tenant, occurred_at: data.received_at, record_id: id };
  return eventOf('records.received', { ...fields, data }, { type: record.recordType }).payload;
}

/**
 * records.received of a call transcript about `orderNumber`, as ingestion announces one: a
 * record type enrichment leaves alone, so no stage is given it.
 */
export function receivedTranscript(tenant: string, orderNumber: string): Received {
  const id = randomUUID();
  const data = {
    record_type: 'transcript',
    source: 'contact-center',
    external_id: id,
    received_at: new Date().toISOString(),
    payload: { order_number: orderNumber, channel: 'chat', text: 'Where is my parcel?' },
  } satisfies ReceivedRecord;
  const fields = { id: `${id}:received`, tenant, occurred_at: data.received_at, record_id: id };
  const event = eventOf('records.received', { ...fields, data }, { type: 'transcript' });
  return event.payload;
}

export function publishReceived(js: ReturnType<typeof jetstream>, event: Received) {
  const subject = subjectOf('records.received', {
    tenant: event.tenant,
    type: event.data.record_type,
  });
  return js.publish(subject, JSON.stringify(event), { msgID: event.id });
}

/** Labelled records from the seed set: `size` of them, orders and exceptions mixed. */
export const seedRecords = (size: number, seed = 7) =>
  generateSeedSet({ seed, size }).map((example) => example.record);

/** An exception whose order number the fake AI server keys its behaviour on. */
export const exception = (orderNumber: string, description = 'The parcel never arrived.') => ({
  recordId: orderNumber,
  tenant: 'unused',
  recordType: 'exception' as const,
  payload: { order_number: orderNumber, description, carrier: 'DHL', reported_by: 'customer' },
});

export const stagesOf = (event: { data: { stages: StageReports } }) => event.data.stages;

/**
 * Sends 60 seed records through the pipeline and checks that each completes exactly once with
 * all three stages, resolution run exactly when classification was confident enough.
 */
export async function enrichesSeedRecords(pipeline: PipelineClient): Promise<Received[]> {
  const events = await pipeline.receive(seedRecords(60));
  const completed = await pipeline.waitForCompleted(events.length);

  expect(completed.map((m) => m.data.record_id).sort()).toEqual(
    events.map((e) => e.record_id).sort(),
  );
  for (const { data } of completed) {
    const stages = stagesOf(data);
    expect(Object.keys(stages).sort()).toEqual([...STAGES].sort());
    expect(stages['order-analysis']?.status).toBe('COMPLETED');
    const label = stages.classification;
    expect(['COMPLETED', 'SKIPPED']).toContain(label?.status);
    const confident = (label?.output?.ai_confidence ?? 0) >= 0.7;
    expect(stages.resolution?.status).toBe(confident ? 'COMPLETED' : 'SKIPPED');
    if (confident) expect(stages.resolution?.output?.action).toEqual(expect.any(String));
    else expect(stages.resolution?.output).toBeNull();
    expect(data.data.input.external_id).toBe(data.record_id);
  }
  // The mix exercises both paths, so the assertions above are not vacuous.
  const statuses = completed.map((m) => stagesOf(m.data).resolution?.status);
  expect(statuses).toContain('COMPLETED');
  expect(statuses).toContain('SKIPPED');
  return events;
}
