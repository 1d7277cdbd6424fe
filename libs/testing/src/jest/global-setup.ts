import { startNatsServer, type NatsServer } from '../nats-server';

/** Where the teardown finds the server: jest runs both in its main process. */
export const SERVER = Symbol.for('refinery.test.nats-server');

/**
 * Before any suite: a nats-server of the run's own on a free port, so tests never publish to,
 * or consume from, a platform running beside them on the machine's server. Workers start
 * afterwards and inherit NATS_URL, and the database every suite uses (TEST_DATABASE_NAME,
 * default refinery_test, whatever DATABASE_NAME says: `refinery` is the platform's).
 */
export default async function globalSetup(): Promise<void> {
  const server = await startNatsServer();
  (globalThis as { [SERVER]?: NatsServer })[SERVER] = server;
  process.env.NATS_URL = server.url;
  process.env.DATABASE_NAME = process.env.TEST_DATABASE_NAME || 'refinery_test';
  console.error(`\n[test] nats-server of this run at ${server.url}`);
}
