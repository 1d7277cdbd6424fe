import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  buildNatsConfig,
  DEFAULT_MAX_MSG_SIZE,
  natsUsers,
  STREAMS,
  type StreamDefinition,
} from '@refinery/contracts';
import {
  startNatsCluster,
  startNatsServer,
  waitFor,
  type NatsCluster,
  type NatsServer,
} from '@refinery/testing';
import { DEFAULT_BATCH_MAX_BYTES } from '../server/consumer-runner';
import { automaticReplicas, ensureStreams, streamLimitsOf } from './ensure-streams';

const quiet = () => ({ log: jest.fn(), warn: jest.fn() });

async function replicasOf(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(stream)).config.num_replicas;
}

describe('ensureStreams on a single server', () => {
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

  it('chooses one replica, and refuses a count the server cannot place', async () => {
    expect(automaticReplicas(nc)).toEqual({ replicas: 1, reason: 'a single server' });
    const definition: StreamDefinition = {
      name: 'SINGLE',
      subjects: ['single.>'],
      description: 'one server',
      maxAgeDays: 1,
    };
    await ensureStreams(nc, [definition], { logger: quiet() });
    expect(await replicasOf(nc, 'SINGLE')).toBe(1);
    await expect(
      ensureStreams(nc, [{ ...definition, name: 'TRIPLE', subjects: ['triple.>'] }], {
        replicas: 3,
        logger: quiet(),
      }),
    ).rejects.toThrow(/cannot create stream TRIPLE with 3 replicas/);
  });
});

describe('the streams the platform defines', () => {
  const streams = Object.values(STREAMS);

  it('each have a byte, message and message-size limit', () => {
    for (const definition of streams) {
      const limits = streamLimitsOf(definition);
      expect({
        stream: definition.name,
        positive: Object.values(limits).every((l) => l > 0),
      }).toEqual({ stream: definition.name, positive: true });
      // A byte-bounded pull can always carry the largest message a stream takes.
      expect(limits.maxMsgSize).toBeLessThanOrEqual(DEFAULT_MAX_MSG_SIZE);
      expect(limits.maxMsgSize).toBeLessThan(DEFAULT_BATCH_MAX_BYTES);
    }
  });

  // JetStream reserves each stream's max_bytes on every server holding a copy; deploy/k8s gives
  // each server a 10 GiB volume, of which JetStream's own files need some.
  it('fit together in three quarters of the 10 GiB JetStream volume of deploy/k8s', () => {
    const total = streams.reduce((sum, d) => sum + streamLimitsOf(d).maxBytes, 0);
    expect(total).toBeLessThanOrEqual(0.75 * 10 * 2 ** 30);
  });

  it('refuse new messages when full, except ALERTS, which drops its oldest', () => {
    expect(streams.filter((d) => d.discard !== 'new').map((d) => d.name)).toEqual(['ALERTS']);
  });

  it('take the limits the configuration sets over their own, -1 for none', () => {
    const limits = streamLimitsOf(STREAMS.RECORDS, {
      RECORDS: { maxBytes: 5 * 2 ** 30, maxMsgs: -1 },
      ENRICHMENT: { maxBytes: 1 },
    });
    expect(limits).toEqual({
      maxBytes: 5 * 2 ** 30,
      maxMsgs: -1,
      maxMsgSize: DEFAULT_MAX_MSG_SIZE,
    });
    expect(() => streamLimitsOf(STREAMS.RECORDS, { RECORDS: { maxMsgs: 0 } })).toThrow(
      'stream RECORDS: maxMsgs must be a positive whole number or -1 (none): 0',
    );
  });
});

describe('ensureStreams with limits', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  const definition = (name: string, extra: Partial<StreamDefinition> = {}): StreamDefinition => ({
    name,
    subjects: [`${name.toLowerCase()}.>`],
    description: 'limits',
    maxAgeDays: 1,
    ...extra,
  });
  const info = async (stream: string): Promise<StreamInfo> =>
    (await jetstreamManager(nc)).streams.info(stream);
  const publish = (subject: string, bytes = 10) =>
    jetstream(nc).publish(subject, new Uint8Array(bytes));

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('creates a stream with its limits, the configured ones over its own', async () => {
    const created = definition('CAPPED', {
      limits: { maxBytes: 64 * 1024, maxMsgs: 100, maxMsgSize: 1024 },
      discard: 'new',
    });
    await ensureStreams(nc, [created], {
      limits: { CAPPED: { maxMsgs: 3 } },
      logger: quiet(),
    });
    expect((await info('CAPPED')).config).toMatchObject({
      max_bytes: 64 * 1024,
      max_msgs: 3,
      max_msg_size: 1024,
      discard: 'new',
    });
  });

  it('refuses what does not fit a full `discard: new` stream, keeping what it holds', async () => {
    for (let i = 0; i < 3; i++) await publish('capped.x');
    await expect(publish('capped.x')).rejects.toThrow('maximum messages exceeded');
    await expect(publish('capped.y', 2048)).rejects.toThrow('message size exceeds maximum allowed');
    expect((await info('CAPPED')).state).toMatchObject({ messages: 3, first_seq: 1 });
  });

  it('drops the oldest messages of a full `discard: old` stream', async () => {
    const dropping = definition('DROPPING', { limits: { maxMsgs: 2 }, discard: 'old' });
    await ensureStreams(nc, [dropping], { logger: quiet() });
    for (let i = 0; i < 3; i++) await publish('dropping.x');
    expect((await info('DROPPING')).state).toMatchObject({ messages: 2, first_seq: 2 });
  });

  it('gives an existing stream its limits and discard policy, and changes them with the configuration', async () => {
    const plain = definition('LATER');
    await ensureStreams(nc, [plain], { logger: quiet() });
    expect((await info('LATER')).config).toMatchObject({
      max_bytes: -1,
      max_msgs: -1,
      max_msg_size: -1,
      discard: 'old',
    });

    const limited = {
      ...plain,
      limits: { maxBytes: 1024 * 1024, maxMsgs: 1000 },
      discard: 'new' as const,
    };
    await ensureStreams(nc, [limited], { logger: quiet() });
    expect((await info('LATER')).config).toMatchObject({
      max_bytes: 1024 * 1024,
      max_msgs: 1000,
      max_msg_size: -1,
      discard: 'new',
    });

    await ensureStreams(nc, [limited], {
      limits: { LATER: { maxBytes: 2 * 1024 * 1024, maxMsgs: -1, maxMsgSize: 4096 } },
      logger: quiet(),
    });
    expect((await info('LATER')).config).toMatchObject({
      max_bytes: 2 * 1024 * 1024,
      max_msgs: -1,
      max_msg_size: 4096,
    });
  });

  it('does not lower a `discard: new` limit below what the stream holds, which would delete it', async () => {
    const full = definition('HOLDING', { discard: 'new' });
    await ensureStreams(nc, [full], { logger: quiet() });
    for (let i = 0; i < 5; i++) await publish('holding.x');

    const logger = quiet();
    await ensureStreams(nc, [{ ...full, limits: { maxMsgs: 3, maxMsgSize: 512 } }], { logger });
    const kept = await info('HOLDING');
    expect(kept.state.messages).toBe(5);
    // The rest of the definition is applied all the same.
    expect(kept.config).toMatchObject({ max_msgs: -1, max_msg_size: 512 });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^stream HOLDING keeps max_msgs none: it holds 5, more than the 3 configured/,
      ),
    );

    // Once it holds no more than the limit, the limit is lowered.
    await ensureStreams(nc, [{ ...full, limits: { maxMsgs: 8 } }], { logger: quiet() });
    expect((await info('HOLDING')).config.max_msgs).toBe(8);
  });

  it("names the setting when JetStream cannot reserve a stream's max_bytes", async () => {
    const huge = definition('HUGE', { limits: { maxBytes: 2 ** 50 } });
    await expect(ensureStreams(nc, [huge], { logger: quiet() })).rejects.toThrow(
      /cannot create stream HUGE .*: insufficient storage resources available; JetStream cannot reserve its max_bytes of \d+ on each of its servers: lower NATS_STREAM_HUGE_MAX_BYTES/,
    );

    // An existing stream keeps its limits, with a warning, and takes the rest.
    await ensureStreams(nc, [definition('GROWING', { limits: { maxBytes: 1024 * 1024 } })], {
      logger: quiet(),
    });
    const logger = quiet();
    await ensureStreams(
      nc,
      [definition('GROWING', { description: 'grown', limits: { maxBytes: 2 ** 50 } })],
      { logger },
    );
    expect((await info('GROWING')).config).toMatchObject({
      max_bytes: 1024 * 1024,
      description: 'grown',
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^stream GROWING keeps its limits \(max_bytes 1048576, max_msgs none\): JetStream cannot reserve/,
      ),
    );
  });
});

/** deploy/nats/cluster/node.conf with the generated accounts, three nodes. */
describe('ensureStreams on a three-node cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    const users = natsUsers(['demo']).map((u) => ({
      ...u,
      password: `p${randomBytes(12).toString('hex')}`,
    }));
    cluster = await startNatsCluster(3, {
      config: buildNatsConfig(['demo']),
      env: Object.fromEntries(users.map((u) => [u.passwordVariable, u.password])),
    });
    // As a service does: its own user, every node's URL.
    nc = await connect({
      servers: cluster.urls.split(','),
      user: 'ingestion',
      pass: users.find((u) => u.name === 'ingestion')?.password,
    });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('gives every stream three replicas, and raises a stream made with fewer', async () => {
    expect(automaticReplicas(nc).replicas).toBe(3);
    const streams = Object.values(STREAMS);
    // Made before the cluster was known: one copy each.
    await ensureStreams(nc, streams, { replicas: 1, logger: quiet() });
    expect(await replicasOf(nc, 'RECORDS')).toBe(1);

    await ensureStreams(nc, streams, { logger: quiet() });
    for (const { name } of streams) expect(await replicasOf(nc, name)).toBe(3);
    // Every stream's limits fit on every node, each holding a copy.
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('ENRICHMENT')).config).toMatchObject({
      max_bytes: streamLimitsOf(STREAMS.ENRICHMENT).maxBytes,
      discard: 'new',
    });
    // Every copy is placed on a node of its own.
    const leader = await waitFor(() => cluster.streamLeader('RECORDS'), 10_000);
    expect(cluster.nodes.map((n) => n.name)).toContain(leader.name);
  }, 60_000);

  it('keeps a stream at its count with a warning when JetStream cannot place more', async () => {
    const logger = quiet();
    await ensureStreams(nc, [STREAMS.RECORDS], { replicas: 5, logger });
    expect(await replicasOf(nc, 'RECORDS')).toBe(3);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/stream RECORDS stays at 3 replica\(s\): JetStream refused 5/),
    );
  }, 30_000);
});
