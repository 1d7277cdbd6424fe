import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamPublisher, NATS_CONNECTION, type InboundMessage } from '../src';
import { ConnectionMonitor } from '../src/connection/connection-monitor';
import { consumerController, gate, startConsumerApp } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { NatsFixture } from './support/nats-fixture';

let fixture: NatsFixture;
let app: INestApplication;

beforeEach(async () => {
  fixture = await NatsFixture.create();
});

afterEach(async () => {
  await app.close();
  await fixture.close();
});

/** Drops the socket; the client waits about a second before dialling the same server again. */
async function disconnect(nc: NatsConnection): Promise<void> {
  await nc.reconnect();
  await eventually(() => ConnectionMonitor.of(nc).current === 'reconnecting', 2_000, 5);
}

describe('while the connection is down', () => {
  it('an ack waits for the reconnect instead of being lost with the old socket', async () => {
    const busy = gate();
    const deliveries: number[] = [];
    const options = {
      durable: 'steady',
      stream: fixture.stream.name,
      filterSubject: fixture.subject('steady', '*'),
    };
    app = await startConsumerApp(fixture, [
      consumerController(options, async (message: InboundMessage) => {
        deliveries.push(message.deliveryCount);
        await busy.wait;
      }),
    ]);
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    await app
      .get(JetStreamPublisher)
      .publish(fixture.subject('steady', 'acme'), { id: 's-1' }, { msgId: 's-1' });
    await eventually(() => deliveries.length === 1);

    await disconnect(nc);
    busy.open();
    await sleep(50);
    expect(ConnectionMonitor.of(nc).current).toBe('reconnecting');

    // ack_wait is 60 s: only the ack itself can settle the message this soon.
    await eventually(() => fixture.settled('steady'), 5_000);
    expect(deliveries).toEqual([1]);
  });

  it('a publish waits for the reconnect and is stored once', async () => {
    app = await startConsumerApp(fixture, []);
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    const subject = fixture.subject('late', 'acme');

    await disconnect(nc);
    const started = Date.now();
    const ack = await app.get(JetStreamPublisher).publish(subject, { id: 'l-1' }, { msgId: 'l-1' });

    expect(ack.duplicate).toBe(false);
    // Sent on reconnect, not lost with the old socket and resent after the 5 s ack timeout.
    expect(Date.now() - started).toBeLessThan(4_000);
    const info = await fixture.jsm.streams.info(fixture.stream.name, { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
  });
});
