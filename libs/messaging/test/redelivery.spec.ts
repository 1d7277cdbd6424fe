import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { DLQ_HEADERS, JetStreamPublisher, NATS_CONNECTION, type InboundMessage } from '../src';
import { consumerController, gate, startConsumerApp } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { natsPerTest } from './support/nats-per-test';

const nats = natsPerTest();

/** A process dying mid-handler: its connection goes away without an ack. */
async function crash(app: INestApplication): Promise<void> {
  await app.get<NatsConnection>(NATS_CONNECTION).close();
}

describe('a consumer that dies before acking', () => {
  it('leaves its message to be redelivered to the next one', async () => {
    const options = {
      durable: 'survivor',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('work', '*'),
      ackWaitMs: 1_000,
    };
    const stuck = gate();
    const first: InboundMessage[] = [];
    const dying = await nats.start([
      consumerController(options, async (message: InboundMessage) => {
        first.push(message);
        await stuck.wait;
      }),
    ]);
    await dying
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('work', 'acme'), { id: 'w-1' }, { msgId: 'w-1' });
    await eventually(() => first.length === 1);
    await crash(dying);

    const second: InboundMessage[] = [];
    await nats.start([
      consumerController(options, (message: InboundMessage) => void second.push(message)),
    ]);

    await eventually(() => second.length === 1);
    expect(second[0]).toMatchObject({
      sequence: first[0].sequence,
      deliveryCount: 2,
      data: { id: 'w-1' },
      msgId: 'w-1',
    });
    await eventually(() => nats.fixture.settled('survivor'));
    stuck.open();
  });

  it('on its last attempt still sends the message to the dead-letter queue', async () => {
    const options = {
      durable: 'last-try',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('once', '*'),
      ackWaitMs: 1_000,
      retry: [],
    };
    const stuck = gate();
    let firstCalls = 0;
    const dying = await nats.start([
      consumerController(options, async () => {
        firstCalls++;
        await stuck.wait;
      }),
    ]);
    await dying
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('once', 'acme'), { id: 'o-1' }, { msgId: 'o-1' });
    await eventually(() => firstCalls === 1);
    await crash(dying);

    let secondCalls = 0;
    await nats.start([consumerController(options, () => secondCalls++)]);

    const letter = await nats.fixture.deadLetter();
    expect(letter?.header.get(DLQ_HEADERS.reason)).toBe(
      'max_deliveries: exceeded max deliveries (2 > 1 attempts)',
    );
    expect(letter?.header.get(DLQ_HEADERS.deliveries)).toBe('2');
    expect(secondCalls).toBe(0);
    stuck.open();
  });
});

describe('closing the app (what SIGTERM does)', () => {
  it('waits for the handler in progress and acks its message before the connection goes', async () => {
    const options = {
      durable: 'graceful',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('slow', '*'),
    };
    const busy = gate();
    let started = 0;
    let finished = 0;
    const app = await startConsumerApp(nats.fixture, [
      consumerController(options, async () => {
        started++;
        await busy.wait;
        finished++;
      }),
    ]);
    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('slow', 'acme'), { id: 's-1' }, { msgId: 's-1' });
    await eventually(() => started === 1);

    const closing = app.close();
    await sleep(300);
    expect((await nats.fixture.consumerInfo('graceful')).num_ack_pending).toBe(1);
    busy.open();
    await closing;

    expect(finished).toBe(1);
    expect(app.get<NatsConnection>(NATS_CONNECTION).isClosed()).toBe(true);
    expect(await nats.fixture.settled('graceful')).toBe(true);
  });
});
