import { filterOf, STREAMS, subjectOf } from '@refinery/contracts';
import { register } from 'prom-client';
import { z } from 'zod';
import { DLQ_HEADERS, JetStreamPublisher, type InboundMessage } from '../src';
import { consumerController } from './support/consumer-app';
import { eventually } from './support/eventually';
import { natsPerTest } from './support/nats-per-test';

const nats = natsPerTest();

async function deadLetteredCount(consumer: string, reason: string): Promise<number> {
  const metric = await register.getSingleMetric('refinery_messages_dead_lettered_total')?.get();
  return (
    metric?.values.find((v) => v.labels.consumer === consumer && v.labels.reason === reason)
      ?.value ?? 0
  );
}

describe('retries', () => {
  it('retries a failing handler after the scheduled delays and acks once it succeeds', async () => {
    const calls: { at: number; deliveryCount: number }[] = [];
    const options = {
      durable: 'flaky',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('flaky', '*'),
      retry: [200, 400],
    };
    const app = await nats.start([
      consumerController(options, (message: InboundMessage) => {
        calls.push({ at: Date.now(), deliveryCount: message.deliveryCount });
        if (calls.length < 3) throw new Error('upstream busy');
      }),
    ]);

    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('flaky', 'acme'), { n: 1 }, { msgId: 'flaky-1' });

    await eventually(() => calls.length === 3);
    expect(calls.map((c) => c.deliveryCount)).toEqual([1, 2, 3]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(200);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(400);
    await eventually(() => nats.fixture.settled('flaky'));
    expect(await nats.fixture.dlqCount()).toBe(0);
  });
});

describe('dead-letter queue', () => {
  it('receives the original message with its story after the last attempt', async () => {
    let calls = 0;
    const options = {
      durable: 'doomed',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('doomed', '*'),
      retry: [100, 100],
    };
    const app = await nats.start([
      consumerController(options, () => {
        calls++;
        throw new Error('model timed out');
      }),
    ]);
    const subject = nats.fixture.subject('doomed', 'acme');
    const payload = { id: 'r-1', text: 'päckchen ✓' };
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    const ack = await app
      .get(JetStreamPublisher)
      .publish(subject, payload, { msgId: 'doomed-1', headers: { traceparent } });

    const letter = await nats.fixture.deadLetter();
    expect(calls).toBe(3);
    expect(new TextDecoder().decode(letter?.data)).toBe(JSON.stringify(payload));
    const header = (name: string) => letter?.header.get(name);
    expect(header(DLQ_HEADERS.reason)).toBe('retries_exhausted: Error: model timed out');
    expect(header(DLQ_HEADERS.subject)).toBe(subject);
    expect(header(DLQ_HEADERS.stream)).toBe(nats.fixture.stream.name);
    expect(header(DLQ_HEADERS.sequence)).toBe(String(ack.seq));
    expect(header(DLQ_HEADERS.deliveries)).toBe('3');
    expect(header(DLQ_HEADERS.service)).toBe(nats.fixture.service);
    expect(header(DLQ_HEADERS.consumer)).toBe('doomed');
    expect(header('traceparent')).toBe(traceparent);
    await eventually(() => nats.fixture.settled('doomed'));
    expect(await deadLetteredCount('doomed', 'retries_exhausted')).toBe(1);
  });

  it('receives a message that violates the schema at once, without calling the handler', async () => {
    let calls = 0;
    const options = {
      durable: 'strict',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('strict', '*'),
      retry: [100, 100],
      schema: z.object({ id: z.string(), total: z.number() }),
    };
    const app = await nats.start([consumerController(options, () => calls++)]);

    await app
      .get(JetStreamPublisher)
      .publish(nats.fixture.subject('strict', 'acme'), { id: 7 }, { msgId: 'strict-1' });

    const letter = await nats.fixture.deadLetter();
    expect(letter?.header.get(DLQ_HEADERS.reason)).toMatch(
      /^schema_violation: payload does not match the schema: id: .*; total: /,
    );
    expect(letter?.header.get(DLQ_HEADERS.deliveries)).toBe('1');
    expect(calls).toBe(0);
    await eventually(() => nats.fixture.settled('strict'));
  });

  it('receives a body that is not JSON at once', async () => {
    let calls = 0;
    const options = {
      durable: 'garbled',
      stream: nats.fixture.stream.name,
      filterSubject: nats.fixture.subject('garbled', '*'),
    };
    await nats.start([consumerController(options, () => calls++)]);

    await nats.fixture.js.publish(nats.fixture.subject('garbled', 'acme'), 'order #1, 2 items');

    const letter = await nats.fixture.deadLetter();
    expect(letter?.header.get(DLQ_HEADERS.reason)).toMatch(
      /^non_retryable: payload is not valid JSON/,
    );
    expect(new TextDecoder().decode(letter?.data)).toBe('order #1, 2 items');
    expect(calls).toBe(0);
  });

  it('receives a message whose payload names another tenant than its subject, and counts it', async () => {
    // Subjects that name a tenant are the platform's: this one lives in RECORDS, under a tenant of its own.
    const tenant = nats.fixture.id.replace('_', '-');
    const durable = `tenants_${nats.fixture.id}`;
    nats.fixture.streams.push(STREAMS.RECORDS);
    const handled: unknown[] = [];
    const options = {
      durable,
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', { tenant }),
    };
    const app = await nats.start([
      consumerController(options, (message: InboundMessage) => handled.push(message.data)),
    ]);
    try {
      const subject = subjectOf('records.received', { tenant, type: 'order' });
      const publisher = app.get(JetStreamPublisher);
      await publisher.publish(subject, { tenant: 'globex', n: 1 }, { msgId: `${tenant}-1` });
      await publisher.publish(subject, { tenant, n: 2 }, { msgId: `${tenant}-2` });

      const letter = await nats.fixture.deadLetter();
      expect(letter?.header.get(DLQ_HEADERS.reason)).toBe(
        `tenant_mismatch: the subject names tenant "${tenant}" but the payload names "globex"`,
      );
      expect(letter?.header.get(DLQ_HEADERS.subject)).toBe(subject);
      await eventually(() => handled.length === 1);
      expect(handled).toEqual([{ tenant, n: 2 }]);
      expect(await deadLetteredCount(durable, 'tenant_mismatch')).toBe(1);
    } finally {
      await nats.stop(app);
      await nats.fixture.jsm.consumers.delete(STREAMS.RECORDS.name, durable).catch(() => undefined);
      await nats.fixture.jsm.streams
        .purge(STREAMS.RECORDS.name, { filter: options.filterSubject })
        .catch(() => undefined);
    }
  });
});
