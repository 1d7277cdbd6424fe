// Tests share NATS with a running platform, and JetStream consumers are shared by name, so a
// running `npm start` would take the tests' messages. Refuse to start rather than flake.
import { connect } from 'node:net';
import { services } from './services.mjs';

const listening = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

const busy = [];
for (const service of services)
  if (await listening(service.port)) busy.push(`${service.name} (:${service.port})`);
if (busy.length > 0) {
  console.error(
    `[test] something is listening on the service ports: ${busy.join(', ')}.\n` +
      "[test] A running Refinery (npm start) would consume the tests' messages: stop it, then run npm test again.",
  );
  process.exit(1);
}
