import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type NatsServer } from '@refinery/testing';
import { register } from 'prom-client';
import { ensureStreams } from '../streams/ensure-streams';
import { messagingMetrics } from './messaging-metrics';
import { reportStreamUsage } from './stream-usage';

const quiet = () => ({ log: jest.fn(), warn: jest.fn() });

/** The samples of a refinery_stream_* gauge, by stream, as a scrape sees them. */
async function scraped(name: string): Promise<Record<string, number>> {
  const metric = register.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.stream), v.value]));
}

describe('the stream usage gauges', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    messagingMetrics();
    await ensureStreams(
      nc,
      [
        {
          name: 'USED',
          subjects: ['used.>'],
          description: 'limited',
          maxAgeDays: 1,
          limits: { maxBytes: 1024 * 1024, maxMsgs: 1000 },
          discard: 'new',
        },
        { name: 'OPEN', subjects: ['open.>'], description: 'no limits', maxAgeDays: 1 },
      ],
      { logger: quiet() },
    );
    const js = jetstream(nc);
    for (let i = 0; i < 4; i++) await js.publish('used.x', new Uint8Array(1000));
    await js.publish('open.x', new Uint8Array(10));
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('report what each stream holds, and the limits of those that have them', async () => {
    const stop = reportStreamUsage(nc, ['USED', 'OPEN']);
    try {
      const held = (await jetstreamManager(nc)).streams.info('USED');
      expect(await scraped('refinery_stream_bytes')).toEqual({
        USED: (await held).state.bytes,
        OPEN: expect.any(Number),
      });
      expect((await held).state.bytes).toBeGreaterThan(4000);
      expect(await scraped('refinery_stream_messages')).toEqual({ USED: 4, OPEN: 1 });
      // A stream without a limit has no limit series, so its usage ratio is empty.
      expect(await scraped('refinery_stream_max_bytes')).toEqual({ USED: 1024 * 1024 });
      expect(await scraped('refinery_stream_max_messages')).toEqual({ USED: 1000 });
    } finally {
      stop();
    }
  });

  it('report nothing once the server that ensured the streams stops reporting', async () => {
    const stop = reportStreamUsage(nc, ['USED']);
    expect(Object.keys(await scraped('refinery_stream_messages'))).toEqual(['USED']);
    stop();
    expect(await scraped('refinery_stream_messages')).toEqual({});
  });

  it('skip a stream that does not exist, and still report the others', async () => {
    const stop = reportStreamUsage(nc, ['USED', 'MISSING']);
    try {
      expect(await scraped('refinery_stream_messages')).toEqual({ USED: 4 });
    } finally {
      stop();
    }
  });
});
