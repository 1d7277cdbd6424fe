import type { INestApplication } from '@nestjs/common';
import { batchOutcome, JetStreamPublisher, type InboundMessage } from '../src';
import { consumerController, gate, startConsumerApp } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { NatsFixture } from './support/nats-fixture';

let fixture: NatsFixture;
const apps: INestApplication[] = [];

beforeEach(async () => {
  fixture = await NatsFixture.create();
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await fixture.close();
});

async function publish(count: number, topic: string): Promise<void> {
  const app = await startConsumerApp(fixture, []);
  await app.get(JetStreamPublisher).publishMany(
    Array.from({ length: count }, (_, i) => ({
      subject: fixture.subject(topic, 'acme'),
      payload: { i },
      msgId: `${topic}-${i}`,
    })),
  );
  await app.close();
}

describe('a batch handler', () => {
  it('receives the waiting messages together, and they are acked only after it resolves', async () => {
    await publish(5, 'bulk');
    const batches: InboundMessage<{ i: number }>[][] = [];
    const busy = gate();
    const options = {
      durable: 'bulk',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('bulk', '*'),
      batchSize: 10,
    };
    apps.push(
      await startConsumerApp(fixture, [
        consumerController(options, async (batch: InboundMessage<{ i: number }>[]) => {
          batches.push(batch);
          await busy.wait;
        }),
      ]),
    );

    await eventually(() => batches.length === 1);
    expect(batches[0].map((m) => m.data.i)).toEqual([0, 1, 2, 3, 4]);
    await sleep(200);
    expect((await fixture.consumerInfo('bulk')).num_ack_pending).toBe(5);

    busy.open();
    await eventually(() => fixture.settled('bulk'));
    expect(batches).toHaveLength(1);
  });

  it('that throws has every message of the batch retried', async () => {
    await publish(4, 'retried');
    const calls: { at: number; messages: InboundMessage<{ i: number }>[] }[] = [];
    const options = {
      durable: 'retried',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('retried', '*'),
      batchSize: 10,
      retry: [300],
    };
    apps.push(
      await startConsumerApp(fixture, [
        consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
          calls.push({ at: Date.now(), messages: batch });
          if (calls.length === 1) throw new Error('database unavailable');
        }),
      ]),
    );

    await eventually(() => calls.flatMap((c) => c.messages).length === 8);
    const [first, ...retries] = calls;
    expect(first.messages.map((m) => m.deliveryCount)).toEqual([1, 1, 1, 1]);
    const redelivered = retries.flatMap((c) => c.messages);
    expect(redelivered.map((m) => m.data.i).sort()).toEqual([0, 1, 2, 3]);
    expect(redelivered.every((m) => m.deliveryCount === 2)).toBe(true);
    expect(retries[0].at - first.at).toBeGreaterThanOrEqual(300);
    await eventually(() => fixture.settled('retried'));
    expect(await fixture.dlqCount()).toBe(0);
  });

  it('that names some messages as failed has only those retried, then dead-lettered', async () => {
    await publish(4, 'partial');
    const calls: InboundMessage<{ i: number }>[][] = [];
    const options = {
      durable: 'partial',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('partial', '*'),
      batchSize: 10,
      retry: [200],
    };
    apps.push(
      await startConsumerApp(fixture, [
        consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
          calls.push(batch);
          const odd = batch.filter((m) => m.data.i % 2 === 1);
          return batchOutcome(odd.map((message) => ({ message, error: new Error('odd') })));
        }),
      ]),
    );

    await eventually(() => fixture.settled('partial'));
    const delivered = calls.flat().map((m) => `${m.data.i}@${m.deliveryCount}`);
    expect(delivered.sort()).toEqual(['0@1', '1@1', '1@2', '2@1', '3@1', '3@2']);
    expect(await fixture.dlqCount()).toBe(2);
  });
});
