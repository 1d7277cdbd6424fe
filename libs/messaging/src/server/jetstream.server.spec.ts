import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, waitFor, type NatsServer } from '@refinery/testing';
import { register } from 'prom-client';
import { resolveConsumerOptions } from '../consumer/consumer-options';
import type { InboundMessage } from '../consumer/inbound-message';
import { JetStreamServer } from './jetstream.server';

/** What a server is given by MessagingModule: streams, their limits, the batch bound. */
describe('JetStreamServer', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('gives its streams their limits, reports their usage, and cuts batches at its byte bound', async () => {
    const strategy = new JetStreamServer({
      service: 'server-test',
      connection: nc,
      streams: [
        {
          name: 'SERVED',
          subjects: ['served.>'],
          description: 'served',
          maxAgeDays: 1,
          limits: { maxBytes: 1024 * 1024 },
          discard: 'new',
        },
      ],
      streamLimits: { SERVED: { maxMsgs: 50 } },
      batchMaxBytes: 2_500,
      shutdownTimeoutMs: 2_000,
    });
    const batches: number[] = [];
    const options = resolveConsumerOptions({
      durable: 'served',
      stream: 'SERVED',
      filterSubject: 'served.>',
      batchSize: 10,
      batchWaitMs: 300,
      decode: 'bytes',
    });
    strategy.addHandler(
      'served',
      (batch: InboundMessage[]) => {
        batches.push(batch.length);
        return Promise.resolve();
      },
      true,
      { jetstreamConsumer: options },
    );
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    try {
      await new Promise<void>((resolve, reject) =>
        strategy.listen((error) => (error ? reject(error as Error) : resolve())),
      );
      expect((await jsm.streams.info('SERVED')).config).toMatchObject({
        max_bytes: 1024 * 1024,
        max_msgs: 50,
        discard: 'new',
      });

      for (let i = 0; i < 6; i++) await js.publish('served.x', new Uint8Array(1_000));
      await waitFor(() => Promise.resolve(batches.reduce((a, b) => a + b, 0) === 6));
      // Two 1 kB bodies fit in 2,500 bytes, three do not.
      expect(batches).toEqual([2, 2, 2]);

      const metric = register.getSingleMetric('refinery_stream_max_messages');
      expect((await metric?.get())?.values).toEqual([{ labels: { stream: 'SERVED' }, value: 50 }]);
    } finally {
      await strategy.close();
    }
    // Closed: it no longer reports.
    const metric = register.getSingleMetric('refinery_stream_messages');
    expect((await metric?.get())?.values).toEqual([]);
  });
});
