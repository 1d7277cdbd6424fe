import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { DLQ_HEADERS, JetStreamPublisher, NATS_CONNECTION, type InboundMessage } from '../src';
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

async function start(...args: Parameters<typeof startConsumerApp>): Promise<INestApplication> {
  const app = await startConsumerApp(...args);
  apps.push(app);
  return app;
}

/** A process dying mid-handler: its connection goes away without an ack. */
async function crash(app: INestApplication): Promise<void> {
  await app.get<NatsConnection>(NATS_CONNECTION).close();
}

describe('a consumer that dies before acking', () => {
  it('leaves its message to be redelivered to the next one', async () => {
    const options = {
      durable: 'survivor',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('work', '*'),
      ackWaitMs: 1_000,
    };
    const stuck = gate();
    const first: InboundMessage[] = [];
    const dying = await start(fixture, [
      consumerController(options, async (message: InboundMessage) => {
        first.push(message);
        await stuck.wait;
      }),
    ]);
    await dying
      .get(JetStreamPublisher)
      .publish(fixture.subject('work', 'acme'), { id: 'w-1' }, { msgId: 'w-1' });
    await eventually(() => first.length === 1);
    await crash(dying);

    const second: InboundMessage[] = [];
    await start(fixture, [
      consumerController(options, (message: InboundMessage) => void second.push(message)),
    ]);

    await eventually(() => second.length === 1);
    expect(second[0]).toMatchObject({
      sequence: first[0].sequence,
      deliveryCount: 2,
      data: { id: 'w-1' },
      msgId: 'w-1',
    });
    await eventually(() => fixture.settled('survivor'));
    stuck.open();
  });

  it('on its last attempt still sends the message to the dead-letter queue', async () => {
    const options = {
      durable: 'last-try',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('once', '*'),
      ackWaitMs: 1_000,
      retry: [],
    };
    const stuck = gate();
    let firstCalls = 0;
    const dying = await start(fixture, [
      consumerController(options, async () => {
        firstCalls++;
        await stuck.wait;
      }),
    ]);
    await dying
      .get(JetStreamPublisher)
      .publish(fixture.subject('once', 'acme'), { id: 'o-1' }, { msgId: 'o-1' });
    await eventually(() => firstCalls === 1);
    await crash(dying);

    let secondCalls = 0;
    await start(fixture, [consumerController(options, () => secondCalls++)]);

    await eventually(() => fixture.dlqCount());
    const letter = await fixture.lastDeadLetter();
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
      stream: fixture.stream.name,
      filterSubject: fixture.subject('slow', '*'),
    };
    const busy = gate();
    let started = 0;
    let finished = 0;
    const app = await startConsumerApp(fixture, [
      consumerController(options, async () => {
        started++;
        await busy.wait;
        finished++;
      }),
    ]);
    await app
      .get(JetStreamPublisher)
      .publish(fixture.subject('slow', 'acme'), { id: 's-1' }, { msgId: 's-1' });
    await eventually(() => started === 1);

    const closing = app.close();
    await sleep(300);
    expect((await fixture.consumerInfo('graceful')).num_ack_pending).toBe(1);
    busy.open();
    await closing;

    expect(finished).toBe(1);
    expect(app.get<NatsConnection>(NATS_CONNECTION).isClosed()).toBe(true);
    expect(await fixture.settled('graceful')).toBe(true);
  });
});
