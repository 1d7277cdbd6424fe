import { HealthRegistry } from '@refinery/observability';
import type { INestApplication } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { JetStreamClient, JetStreamPublisher, JetStreamRecord } from '../src';
import { startConsumerApp } from './support/consumer-app';
import { NatsFixture } from './support/nats-fixture';
import type { PubAck } from '@nats-io/jetstream';

let fixture: NatsFixture;
let app: INestApplication;

beforeEach(async () => {
  fixture = await NatsFixture.create();
  app = await startConsumerApp(fixture, []);
});

afterEach(async () => {
  await app.close();
  await fixture.close();
});

async function stored(subject: string): Promise<number> {
  const info = await fixture.jsm.streams.info(fixture.stream.name, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

describe('JetStreamPublisher', () => {
  it('stores a message published twice with the same msg id once', async () => {
    const publisher = app.get(JetStreamPublisher);
    const subject = fixture.subject('records', 'acme');

    const first = await publisher.publish(subject, { id: 'r-1' }, { msgId: 'r-1:received' });
    const again = await publisher.publish(subject, { id: 'r-1' }, { msgId: 'r-1:received' });

    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
    expect(await stored(subject)).toBe(1);
  });

  it('publishes a batch of hundreds and returns every ack in order', async () => {
    const publisher = app.get(JetStreamPublisher);
    const subject = fixture.subject('bulk', 'acme');
    const items = Array.from({ length: 700 }, (_, i) => ({
      subject,
      payload: { i },
      msgId: `many-${i}`,
    }));

    const acks = await publisher.publishMany(items);

    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(await stored(subject)).toBe(700);
  });

  it('acks a republished batch as duplicates and stores nothing twice', async () => {
    const publisher = app.get(JetStreamPublisher);
    const subject = fixture.subject('again', 'acme');
    const items = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => ({
        subject,
        payload: { i: from + k },
        msgId: `again-${from + k}`,
      }));
    await publisher.publishMany(items(0, 10));

    const acks = await publisher.publishMany(items(5, 15));

    expect(acks.map((a) => a.duplicate)).toEqual([...Array(5).fill(true), ...Array(5).fill(false)]);
    expect(await stored(subject)).toBe(15);
  });

  it('fails a batch naming the message that no stream captures', async () => {
    const publisher = app.get(JetStreamPublisher);
    const good = { subject: fixture.subject('ok', 'acme'), payload: {}, msgId: 'ok-1' };
    const lost = { subject: `nowhere_${fixture.id}.y`, payload: {}, msgId: 'lost-1' };
    await expect(publisher.publishMany([good, lost])).rejects.toThrow(
      `publish to nowhere_${fixture.id}.y (msg id lost-1) failed: no stream captures this subject`,
    );
  });

  it('says which subject had no stream', async () => {
    await expect(
      app.get(JetStreamPublisher).publish(`nowhere_${fixture.id}.x`, {}, { msgId: 'x' }),
    ).rejects.toThrow(
      `publish to nowhere_${fixture.id}.x (msg id x) failed: no stream captures this subject`,
    );
  });
});

describe('JetStreamClient', () => {
  it('emit() publishes a record or an envelope, with its id as msg id', async () => {
    const client = app.get(JetStreamClient);
    const subject = fixture.subject('emitted', 'acme');

    const record: PubAck = await lastValueFrom(
      client.emit(subject, new JetStreamRecord({ n: 1 }, { msgId: 'e-1' })),
    );
    const envelope: PubAck = await lastValueFrom(client.emit(subject, { id: 'e-2', n: 2 }));
    const repeated: PubAck = await lastValueFrom(client.emit(subject, { id: 'e-2', n: 2 }));

    expect(record.stream).toBe(fixture.stream.name);
    expect(envelope.seq).toBe(record.seq + 1);
    expect(repeated.duplicate).toBe(true);
    expect(await stored(subject)).toBe(2);
  });

  it('refuses request/response with a clear error', async () => {
    await expect(
      lastValueFrom(app.get(JetStreamClient).send(fixture.subject('rpc', 'acme'), {})),
    ).rejects.toThrow('JetStreamClient does not support request/response');
  });
});

describe('MessagingModule', () => {
  it('reports NATS ready while connected, and not ready once the connection closed', async () => {
    const check = app
      .get(HealthRegistry)
      .list()
      .find((c) => c.name === 'nats');
    await expect(check?.check()).resolves.toBeUndefined();

    await app.close();

    await expect(check?.check()).rejects.toThrow('NATS connection is closed');
  });
});
