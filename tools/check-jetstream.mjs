// Every integration test needs JetStream answering its API. A server that accepts connections
// but does not answer (store full, still recovering) would fail each suite after its own
// timeout; fail once, up front, saying what is wrong.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
try {
  const nc = await connect({ servers, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const info = await jsm.getAccountInfo();
    const mib = (bytes) => `${Math.round(bytes / 2 ** 20)} MiB`;
    console.error(
      `[test] JetStream at ${servers}: ${info.streams} streams, ${info.consumers} consumers, ${mib(info.storage)} stored`,
    );
  } finally {
    await nc.close();
  }
} catch (error) {
  console.error(
    `[test] JetStream at ${servers} does not answer (${error.message}).\n` +
      '[test] Check that nats-server runs with -js and that its store directory has free space.',
  );
  process.exit(1);
}
