import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, waitFor, type NatsServer } from '@refinery/testing';
import type { InboundMessage } from '../consumer/inbound-message';
import { resolveConsumerOptions } from '../consumer/consumer-options';
import { ensureStreams } from '../streams/ensure-streams';
import { byBytes, ConsumerRunner } from './consumer-runner';

const logger = () => ({
  log: jest.fn(),
  warn: jest.fn(),
  error: jest.fn(),
  debug: jest.fn(),
  verbose: jest.fn(),
});
const msg = (bytes: number) => ({ data: new Uint8Array(bytes) });

describe('byBytes', () => {
  it('cuts a batch into runs of at most the bound, in order, each holding at least one message', () => {
    const batch = [msg(40), msg(40), msg(30), msg(100), msg(10), msg(90)];
    const parts = byBytes(batch, 100);
    expect(parts.map((part) => part.map((m) => m.data.length))).toEqual([
      [40, 40],
      [30],
      [100],
      [10, 90],
    ]);
    expect(parts.flat()).toEqual(batch);
    // Larger than the bound: alone.
    expect(byBytes([msg(500), msg(1)], 100).map((p) => p.length)).toEqual([1, 1]);
    expect(byBytes([], 100)).toEqual([]);
  });
});

it('refuses a batch byte bound that is not a positive integer', () => {
  const options = { durable: 'd', stream: 'S', filterSubject: 's.>', batchSize: 2 };
  expect(() => resolveConsumerOptions({ ...options, batchMaxBytes: 0 })).toThrow(
    'batchMaxBytes must be a positive integer, got 0',
  );
  expect(resolveConsumerOptions({ ...options, batchMaxBytes: 1024 }).batchMaxBytes).toBe(1024);
});

/** Twelve messages of 30 kB on a server of the test's own: ten of them make a 300 kB batch. */
describe('a batch consumer with a byte bound', () => {
  const SIZE = 30_000;
  const COUNT = 12;
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await ensureStreams(
      nc,
      [{ name: 'BIG', subjects: ['big.>'], description: 'large messages', maxAgeDays: 1 }],
      { logger: logger() },
    );
    const js = jetstream(nc);
    for (let i = 0; i < COUNT; i++) await js.publish('big.x', new Uint8Array(SIZE).fill(i));
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** Runs a consumer of its own over the twelve messages; the sizes of its batches, in order. */
  async function batchesOf(durable: string, batchMaxBytes?: number): Promise<number[][]> {
    const batches: number[][] = [];
    const options = resolveConsumerOptions({
      durable,
      stream: 'BIG',
      filterSubject: 'big.>',
      batchSize: 10,
      batchMaxBytes,
      // Long enough for the ten to be there, on a busy machine too.
      batchWaitMs: 500,
      decode: 'bytes',
    });
    const runner = new ConsumerRunner(
      nc,
      'runner-test',
      options,
      (payload) => {
        batches.push((payload as InboundMessage<Uint8Array>[]).map((m) => m.data.length));
        return Promise.resolve();
      },
      logger(),
    );
    await runner.start();
    try {
      await waitFor(() => Promise.resolve(batches.flat().length >= COUNT), 10_000);
      const jsm = await jetstreamManager(nc);
      await waitFor(async () => (await jsm.consumers.info('BIG', durable)).num_ack_pending === 0);
    } finally {
      await runner.stop();
    }
    expect(batches.flat()).toEqual(Array(COUNT).fill(SIZE));
    return batches;
  }

  it('gets batches of batchSize while they stay within the default bound, 4 MiB', async () => {
    expect((await batchesOf('roomy')).map((b) => b.length)).toEqual([10, 2]);
  });

  it('gets smaller batches of them under a small bound', async () => {
    // 3 × 30 kB fit in 100 kB, 4 do not.
    expect((await batchesOf('tight', 100_000)).map((b) => b.length)).toEqual([3, 3, 3, 1, 2]);
  });

  it('gets a message larger than the bound on its own', async () => {
    expect((await batchesOf('cramped', 10_000)).map((b) => b.length)).toEqual(Array(COUNT).fill(1));
  });
});
