import { createServer } from 'node:net';

/**
 * A port nothing listens on right now, on 127.0.0.1: what a test or bench gives the servers it
 * starts, so they run beside a platform on its fixed ports.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}
