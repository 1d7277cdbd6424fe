import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buildNatsConfig, natsUsers, STREAMS, type StreamDefinition } from '@refinery/contracts';
import {
  startNatsCluster,
  startNatsServer,
  waitFor,
  type NatsCluster,
  type NatsServer,
} from '@refinery/testing';
import { automaticReplicas, ensureStreams } from './ensure-streams';

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
