import { registerDatabaseCheck } from '@refinery/persistence';
import { JetStreamPublisher, type InboundMessage } from '../index';
import { consumerController } from '../../test/support/consumer-app';
import { eventually, sleep } from '../../test/support/eventually';
import { natsPerTest } from '../../test/support/nats-per-test';

const nats = natsPerTest();

/** What node-postgres raises for a database that is stopped or stopping. */
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5499'), { code: 'ECONNREFUSED' });
const deadlock = () =>
  Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });

/** The database as the consumers see it: down until `up()`; counts how often it is asked. */
function database() {
  const db = { down: true, asked: 0, up: () => (db.down = false) };
  const unregister = registerDatabaseCheck({
    problem: () => {
      db.asked++;
      return Promise.resolve(
        db.down ? 'the database is unavailable: connect ECONNREFUSED' : undefined,
      );
    },
  });
  return { db, unregister };
}

let unregister: (() => void) | undefined;
afterEach(() => unregister?.());

async function publish(topic: string, ids: string[]): Promise<void> {
  const app = await nats.start([]);
  await app.get(JetStreamPublisher).publishMany(
    ids.map((id) => ({
      subject: nats.fixture.subject(topic, 'acme'),
      payload: { id },
      msgId: id,
    })),
  );
  await nats.stop(app);
}

type Seen = { id: string; deliveryCount: number; down: boolean };

describe('a consumer whose database is away', () => {
  it('holds the batch, fetches nothing new and runs it again once the database answers, using no retry', async () => {
    const outage = database();
    unregister = outage.unregister;
    const { db } = outage;
    await publish('held', ['a', 'b', 'c', 'd']);
    const seen: Seen[][] = [];
    const options = {
      durable: 'held',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('held', '*'),
      batchSize: 10,
      batchWaitMs: 200,
      // One retry only: an outage that used retries up would dead-letter the batch.
      retry: [100],
      ackWaitMs: 1_000,
    };
    const app = await nats.start([
      consumerController(options, (batch: InboundMessage<{ id: string }>[]) => {
        seen.push(
          batch.map((m) => ({ id: m.data.id, deliveryCount: m.deliveryCount, down: db.down })),
        );
        if (db.down) throw new Error('could not store the batch', { cause: refused() });
      }),
    ]);

    // Asked again after the first wait: the consumer is paused, and pulls no more. (A message
    // already on its way when it paused would come back after ack_wait, as its second delivery.)
    await eventually(() => db.asked >= 2);
    // Published during the outage: not handed to the handler while the batch is held.
    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('held', 'acme'), { id: 'e' }, { msgId: 'e' });
    // Held three ack waits long: kept alive, never redelivered.
    await sleep(3_000);
    const during = seen.flat();
    expect(new Set(during.map((s) => s.id))).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(during.every((s) => s.deliveryCount === 1)).toBe(true);
    // The database is asked, after growing waits, not the handler run again until it answers.
    expect(seen).toHaveLength(1);
    expect(db.asked).toBeLessThanOrEqual(7);
    const info = await nats.fixture.consumerInfo('held');
    expect(info.num_redelivered).toBe(0);
    expect(info.num_ack_pending).toBeGreaterThanOrEqual(4);

    db.up();
    await eventually(() => nats.fixture.settled('held'), 10_000);
    const after = seen.flat().filter((s) => !s.down);
    expect(after.map((s) => `${s.id}@${s.deliveryCount}`).sort()).toEqual([
      'a@1',
      'b@1',
      'c@1',
      'd@1',
      'e@1',
    ]);
    expect(await nats.fixture.dlqCount()).toBe(0);
  });

  it('holds a single message the same way, past its ack wait', async () => {
    const outage = database();
    unregister = outage.unregister;
    const { db } = outage;
    await publish('one', ['x']);
    const seen: Seen[] = [];
    const options = {
      durable: 'one',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('one', '*'),
      retry: [],
      ackWaitMs: 1_000,
    };
    await nats.start([
      consumerController(options, (message: InboundMessage<{ id: string }>) => {
        seen.push({ id: message.data.id, deliveryCount: message.deliveryCount, down: db.down });
        if (db.down) throw refused();
      }),
    ]);
    await eventually(() => seen.length >= 1);
    await sleep(2_500);
    db.up();
    await eventually(() => nats.fixture.settled('one'));
    expect(seen.every((s) => s.deliveryCount === 1)).toBe(true);
    expect(seen.at(-1)).toEqual({ id: 'x', deliveryCount: 1, down: false });
    expect(await nats.fixture.dlqCount()).toBe(0);
  });

  it('leaves the held batch for redelivery when it stops during the outage, without waiting for it', async () => {
    const outage = database();
    unregister = outage.unregister;
    const { db } = outage;
    await publish('stop', ['s-1', 's-2']);
    const seen: Seen[] = [];
    const options = {
      durable: 'stop',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('stop', '*'),
      batchSize: 10,
      batchWaitMs: 200,
      ackWaitMs: 1_000,
    };
    const handler = (batch: InboundMessage<{ id: string }>[]) => {
      seen.push(
        ...batch.map((m) => ({ id: m.data.id, deliveryCount: m.deliveryCount, down: db.down })),
      );
      if (db.down) throw refused();
    };
    const app = await nats.start([consumerController(options, handler)]);
    await eventually(() => seen.length >= 2);

    const started = Date.now();
    await nats.stop(app);
    // Not held until the outage ends or the shutdown timeout (5 s here) runs out.
    expect(Date.now() - started).toBeLessThan(2_000);

    db.up();
    await nats.start([consumerController(options, handler)]);
    await eventually(() => nats.fixture.settled('stop'), 5_000);
    // Left, not failed: the next delivery is the second, of the six the schedule allows.
    expect(
      seen
        .filter((s) => !s.down)
        .map((s) => `${s.id}@${s.deliveryCount}`)
        .sort(),
    ).toEqual(['s-1@2', 's-2@2']);
    expect(await nats.fixture.dlqCount()).toBe(0);
  });
});

describe('a transient failure while every dependency answers', () => {
  it('is a failure of the work: it follows the retry schedule', async () => {
    const outage = database();
    unregister = outage.unregister;
    outage.db.up();
    await publish('conflict', ['k']);
    const seen: number[] = [];
    const options = {
      durable: 'conflict',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('conflict', '*'),
      retry: [200],
    };
    await nats.start([
      consumerController(options, (message: InboundMessage) => {
        seen.push(message.deliveryCount);
        if (message.deliveryCount === 1) throw deadlock();
      }),
    ]);
    await eventually(() => nats.fixture.settled('conflict'));
    expect(seen).toEqual([1, 2]);
    expect(outage.db.asked).toBeGreaterThanOrEqual(1);
  });
});
