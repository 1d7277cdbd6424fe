import type { StreamDefinition, StreamLimits } from '@refinery/contracts';
import { Global, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, type NatsCredentials } from '../connection/connect-nats';
import { JetStreamClient } from '../publisher/jetstream.client';
import { JetStreamPublisher } from '../publisher/jetstream.publisher';
import { JetStreamServer } from '../server/jetstream.server';
import { MessagingLifecycle } from './messaging-lifecycle';
import { MESSAGING_OPTIONS, NATS_CONNECTION } from './tokens';

export interface MessagingOptions {
  service: string;
  /** One URL, a comma-separated list, or an array. */
  servers: string | readonly string[];
  /** Streams the service's JetStreamServer creates or updates at start. */
  streams: readonly StreamDefinition[];
  /** Replicas of those streams (NATS_STREAM_REPLICAS); unset: as many as the cluster has servers, at most 3. */
  streamReplicas?: number;
  /** Limits by stream name over the definitions' own (NATS_STREAM_<NAME>_MAX_BYTES ...). */
  streamLimits?: Readonly<Record<string, StreamLimits | undefined>>;
  /** Message bodies a batch handler gets at once (NATS_BATCH_MAX_BYTES); default 4 MiB. */
  batchMaxBytes?: number;
  /** The service's own NATS user; none on a server without authentication. */
  credentials?: NatsCredentials;
}

/**
 * The service's NATS connection, JetStreamPublisher and JetStreamClient, for every module.
 * Needs HealthRegistry (ObservabilityModule provides it) for the `nats` readiness check.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            connectNats({
              servers: options.servers,
              name: options.service,
              credentials: options.credentials,
            }),
        },
        JetStreamPublisher,
        {
          provide: JetStreamClient,
          useFactory: (publisher: JetStreamPublisher, nc: NatsConnection) =>
            new JetStreamClient(publisher, nc),
          inject: [JetStreamPublisher, NATS_CONNECTION],
        },
        MessagingLifecycle,
      ],
      exports: [MESSAGING_OPTIONS, NATS_CONNECTION, JetStreamPublisher, JetStreamClient],
    };
  }
}

/** The JetStreamServer for an app that imports MessagingModule: `app.connectMicroservice({ strategy })`. */
export function createJetStreamServer(
  app: INestApplicationContext,
  overrides: { shutdownTimeoutMs?: number } = {},
): JetStreamServer {
  const options = app.get<MessagingOptions>(MESSAGING_OPTIONS);
  const connection = app.get<NatsConnection>(NATS_CONNECTION);
  return new JetStreamServer({
    service: options.service,
    connection,
    streams: options.streams,
    streamReplicas: options.streamReplicas,
    streamLimits: options.streamLimits,
    batchMaxBytes: options.batchMaxBytes,
    ...overrides,
  });
}
