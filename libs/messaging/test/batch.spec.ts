import { batchOutcome, JetStreamPublisher, type InboundMessage } from '../src';
import { consumerController, gate, startConsumerApp } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { natsPerTest } from './support/nats-per-test';

const nats = natsPerTest();

/** What node-postgres raises while Postgres shuts down: retrying later is the cure. */
const databaseShuttingDown = () =>
  Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
    severity: 'FATAL',
  });

async function publish(count: number, topic: string): Promise<void> {
  const app = await startConsumerApp(nats.fixture, []);
  await app.get(JetStreamPublisher).publishMany(
    Array.from({ length: count }, (_, i) => ({
      subject: nats.fixture.subject(topic, 'acme'),
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
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('bulk', '*'),
      batchSize: 10,
    };
    await nats.start([
      consumerController(options, async (batch: InboundMessage<{ i: number }>[]) => {
        batches.push(batch);
        await busy.wait;
      }),
    ]);

    await eventually(() => batches.length === 1);
    expect(batches[0].map((m) => m.data.i)).toEqual([0, 1, 2, 3, 4]);
    await sleep(200);
    expect((await nats.fixture.consumerInfo('bulk')).num_ack_pending).toBe(5);

    busy.open();
    await eventually(() => nats.fixture.settled('bulk'));
    expect(batches).toHaveLength(1);
  });

  it('that fails for a transient cause has the whole batch retried, without splitting it', async () => {
    await publish(4, 'retried');
    const calls: { at: number; messages: InboundMessage<{ i: number }>[] }[] = [];
    const options = {
      durable: 'retried',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('retried', '*'),
      batchSize: 10,
      retry: [300],
    };
    await nats.start([
      consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
        calls.push({ at: Date.now(), messages: batch });
        if (calls.length === 1) throw databaseShuttingDown();
      }),
    ]);

    await eventually(() => calls.flatMap((c) => c.messages).length === 8);
    const [first, ...retries] = calls;
    expect(first.messages.map((m) => m.deliveryCount)).toEqual([1, 1, 1, 1]);
    const redelivered = retries.flatMap((c) => c.messages);
    expect(redelivered.map((m) => m.data.i).sort()).toEqual([0, 1, 2, 3]);
    expect(redelivered.every((m) => m.deliveryCount === 2)).toBe(true);
    expect(retries[0].at - first.at).toBeGreaterThanOrEqual(300);
    expect(retries.every((c) => c.messages.every((m) => m.deliveryCount === 2))).toBe(true);
    await eventually(() => nats.fixture.settled('retried'));
    expect(await nats.fixture.dlqCount()).toBe(0);
  });

  it('that names some messages as failed has only those retried, then dead-lettered', async () => {
    await publish(4, 'partial');
    const calls: InboundMessage<{ i: number }>[][] = [];
    const options = {
      durable: 'partial',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('partial', '*'),
      batchSize: 10,
      retry: [200],
    };
    await nats.start([
      consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
        calls.push(batch);
        const odd = batch.filter((m) => m.data.i % 2 === 1);
        return batchOutcome(odd.map((message) => ({ message, error: new Error('odd') })));
      }),
    ]);

    await eventually(() => nats.fixture.settled('partial'));
    const delivered = calls.flat().map((m) => `${m.data.i}@${m.deliveryCount}`);
    expect(delivered.sort()).toEqual(['0@1', '1@1', '1@2', '2@1', '3@1', '3@2']);
    expect(await nats.fixture.dlqCount()).toBe(2);
  });

  it('that throws for one bad message has the others acked at once and that one retried alone', async () => {
    await publish(40, 'poison');
    const calls: { at: number; messages: InboundMessage<{ i: number }>[] }[] = [];
    const options = {
      durable: 'poison',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('poison', '*'),
      batchSize: 40,
      retry: [1_000],
    };
    await nats.start([
      consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
        calls.push({ at: Date.now(), messages: batch });
        if (batch.some((m) => m.data.i === 17)) throw new Error('value out of range');
      }),
    ]);

    // The 39 good ones are settled long before the bad one's retry is due.
    await eventually(async () => {
      const info = await nats.fixture.consumerInfo('poison');
      return info.delivered.stream_seq === 40 && info.num_ack_pending === 1;
    });
    expect(Date.now() - calls[0].at).toBeLessThan(1_000);
    expect(calls.every((c) => c.messages.every((m) => m.deliveryCount === 1))).toBe(true);
    const alone = calls.filter((c) => c.messages.length === 1 && c.messages[0].data.i === 17);
    expect(alone).toHaveLength(1);
    // Halving takes about two calls per level: no call per message.
    expect(calls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(40)) + 1);

    // The bad one alone follows the retry schedule, then goes to the DLQ.
    await eventually(() => nats.fixture.dlqCount());
    const redelivered = calls.flatMap((c) => c.messages).filter((m) => m.deliveryCount > 1);
    expect(redelivered.map((m) => m.data.i)).toEqual([17]);
    expect(redelivered[0].deliveryCount).toBe(2);
    expect((await nats.fixture.lastDeadLetter())?.header.get('Refinery-Dlq-Reason')).toBe(
      'retries_exhausted: Error: value out of range',
    );
    await eventually(() => nats.fixture.settled('poison'));
    expect(await nats.fixture.dlqCount()).toBe(1);
  });

  it('that throws for several bad messages settles every good one', async () => {
    await publish(30, 'several');
    const handled = new Set<number>();
    const options = {
      durable: 'several',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('several', '*'),
      batchSize: 30,
      retry: [],
    };
    await nats.start([
      consumerController(options, (batch: InboundMessage<{ i: number }>[]) => {
        if (batch.some((m) => m.data.i % 10 === 3)) throw new Error('bad row');
        for (const m of batch) handled.add(m.data.i);
      }),
    ]);

    await eventually(() => nats.fixture.settled('several'));
    expect(handled.size).toBe(27);
    expect([3, 13, 23].some((i) => handled.has(i))).toBe(false);
    expect(await nats.fixture.dlqCount()).toBe(3);
  });
});
