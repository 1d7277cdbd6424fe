import type { INestApplication, Type } from '@nestjs/common';
import { startConsumerApp } from './consumer-app';
import { NatsFixture } from './nats-fixture';

/**
 * A fresh NatsFixture for each test of the file; after the test, the consumer apps `start`
 * made (and did not close themselves) are closed, then the fixture.
 */
export function natsPerTest() {
  const open = new Set<INestApplication>();
  const nats = {
    fixture: undefined as unknown as NatsFixture,
    /** A consumer app on this test's fixture. */
    async start(controllers: Type[], configure?: (app: INestApplication) => void) {
      const app = await startConsumerApp(nats.fixture, controllers, configure);
      open.add(app);
      return app;
    },
    /** Closes an app before the test ends, as a process that stops. */
    async stop(app: INestApplication) {
      open.delete(app);
      await app.close();
    },
  };
  beforeEach(async () => {
    nats.fixture = await NatsFixture.create();
  });
  afterEach(async () => {
    await Promise.all([...open].map((app) => app.close()));
    open.clear();
    await nats.fixture.close();
  });
  return nats;
}
