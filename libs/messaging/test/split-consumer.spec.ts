import { Controller, type INestApplication, type Type } from '@nestjs/common';
import {
  consumeThrough,
  JetStreamPublisher,
  type ConsumerOptions,
  type InboundMessage,
} from '../src';
import { consumerController } from './support/consumer-app';
import { eventually, sleep } from './support/eventually';
import { natsPerTest } from './support/nats-per-test';

const nats = natsPerTest();

type Item = { id: string };

/** One handler reading every durable of `consumers`, the way a service declares it. */
function splitController(consumers: ConsumerOptions[], seen: string[]): Type {
  @Controller()
  class SplitController {
    handle(message: InboundMessage<Item>): void {
      seen.push(message.data.id);
    }
  }
  consumeThrough(SplitController, 'handle', consumers);
  return SplitController;
}

describe('a consumer split into one durable per filter subject', () => {
  const subject = (type: string) => nats.fixture.subject('rec', 'acme', type);
  const publish = async (app: INestApplication, ids: string[]) => {
    for (const id of ids)
      await app.get(JetStreamPublisher).publish(subject(id.split('-')[0]), { id }, { msgId: id });
  };
  /** Orders keep the durable that read every type; exceptions get one split off it. */
  const split = (): ConsumerOptions[] => [
    {
      durable: 'reader',
      stream: nats.fixture.stream.name,
      filterSubject: subject('order'),
    },
    {
      durable: 'reader-exception',
      stream: nats.fixture.stream.name,
      filterSubject: subject('exception'),
      takesOverFrom: 'reader',
    },
  ];

  it('hands the messages of every durable to one handler, and no other message', async () => {
    const seen: string[] = [];
    const app = await nats.start([splitController(split(), seen)]);
    await publish(app, ['order-1', 'transcript-1', 'exception-1', 'order-2']);
    await eventually(() => seen.length === 3);
    await eventually(
      async () =>
        (await nats.fixture.settled('reader')) && nats.fixture.settled('reader-exception'),
    );
    await sleep(200);
    expect(seen.sort()).toEqual(['exception-1', 'order-1', 'order-2']);
    expect((await nats.fixture.consumerInfo('reader')).delivered.consumer_seq).toBe(2);
    expect((await nats.fixture.consumerInfo('reader-exception')).delivered.consumer_seq).toBe(1);
  });

  it('takes over from the durable that read every type: nothing it finished again, nothing it had not skipped', async () => {
    // The version before: one durable on every type, which handled the first three.
    const before: string[] = [];
    const wide = {
      durable: 'reader',
      stream: nats.fixture.stream.name,
      filterSubject: subject('*'),
    };
    const old = await nats.start([
      consumerController(wide, (m: InboundMessage<Item>) => void before.push(m.data.id)),
    ]);
    await publish(old, ['order-1', 'exception-1', 'transcript-1']);
    await eventually(() => before.length === 3 && nats.fixture.settled('reader'));
    await nats.stop(old);
    // Sent while it was down, an exception first: narrowing `reader` to orders and acking
    // order-2 before the exceptions' durable exists would move the position past it.
    const publisher = await nats.start([]);
    await publish(publisher, ['exception-2', 'order-2', 'transcript-2', 'exception-3']);

    const seen: string[] = [];
    await nats.start([splitController(split(), seen)]);
    await eventually(() => seen.length === 3);
    await eventually(
      async () =>
        (await nats.fixture.settled('reader')) && nats.fixture.settled('reader-exception'),
    );
    await sleep(200);
    expect(seen.sort()).toEqual(['exception-2', 'exception-3', 'order-2']);
    // The old durable was narrowed in place, its position kept.
    const reader = await nats.fixture.consumerInfo('reader');
    expect(reader.config.filter_subject).toBe(subject('order'));
    expect(reader.delivered.consumer_seq).toBe(4);
  });

  it('starts at the beginning of the stream when there is nothing to take over from', async () => {
    const publisher = await nats.start([]);
    await publish(publisher, ['exception-1', 'order-1']);
    const seen: string[] = [];
    await nats.start([splitController(split(), seen)]);
    await eventually(() => seen.length === 2);
    expect(seen.sort()).toEqual(['exception-1', 'order-1']);
  });

  it('refuses to take over from itself, and a second set of the same durables', () => {
    expect(() =>
      splitController([{ ...split()[1], takesOverFrom: 'reader-exception' }], []),
    ).toThrow(/takesOverFrom must name another durable/);
    const twice = [split()[0], split()[0]];
    expect(() => splitController(twice, [])).toThrow(/already has a method "handle:reader"/);
  });
});
