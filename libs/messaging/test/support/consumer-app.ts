import { HealthRegistry } from '@refinery/observability';
import { Controller, Global, Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createJetStreamServer,
  JetStreamConsumer,
  MessagingModule,
  type ConsumerOptions,
} from '../../src';
import { NATS_URL, type NatsFixture } from './nats-fixture';

@Global()
@Module({ providers: [HealthRegistry], exports: [HealthRegistry] })
class TestHealthModule {}

/** A controller with one JetStream handler, the way a service declares one. */
export function consumerController(
  options: ConsumerOptions,
  handle: (payload: never) => unknown,
): Type {
  @Controller()
  class TestConsumerController {
    @JetStreamConsumer(options)
    handle(payload: never): unknown {
      return handle(payload);
    }
  }
  return TestConsumerController;
}

export interface ConsumerApp {
  app: INestApplication;
  close(): Promise<void>;
}

/** A real Nest app (HTTP unused) with MessagingModule and a JetStream server, as in a service. */
export async function startConsumerApp(
  fixture: NatsFixture,
  controllers: Type[],
  configure: (app: INestApplication) => void = () => undefined,
): Promise<INestApplication> {
  @Module({
    imports: [
      TestHealthModule,
      MessagingModule.forRoot({
        service: fixture.service,
        servers: NATS_URL,
        streams: fixture.streams,
      }),
    ],
    controllers,
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: false, abortOnError: false });
  configure(app);
  // As services do: app-wide filters apply to the consumers too.
  app.connectMicroservice(
    { strategy: createJetStreamServer(app, { shutdownTimeoutMs: 5_000 }) },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.init();
  return app;
}

/** Resolves when `open()` is called: lets a test hold a handler in progress. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}
