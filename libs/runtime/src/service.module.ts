import { DynamicModule, Module } from '@nestjs/common';
import { STREAMS } from '@refinery/contracts';
import { MessagingModule } from '@refinery/messaging';
import { ObservabilityModule } from '@refinery/observability';
import { PersistenceModule } from '@refinery/persistence';
import type { AuthConfig } from './auth/auth-config';
import { AuthModule } from './auth/auth.module';
import { configuredStreamLimits, type StreamLimitVariable } from './config/load-config';
import { natsCredentialsOf, type NatsCredentialsConfig } from './config/nats-credentials';

/** What every service shares of the bus: replicas and limits of the streams, the batch bound. */
export type StreamSettings = {
  NATS_STREAM_REPLICAS?: number;
  NATS_BATCH_MAX_BYTES?: number;
} & Partial<Record<StreamLimitVariable, number>>;

export interface ServiceModuleOptions {
  service: string;
  natsUrl: string;
  /**
   * The service's validated configuration: every service authenticates the same way, its
   * callers by API key and itself to NATS as its own user, and with the streams' replica
   * count and limits (NATS_STREAM_REPLICAS, NATS_STREAM_<NAME>_MAX_BYTES ...) and the
   * consumers' batch bound (NATS_BATCH_MAX_BYTES) every service shares.
   */
  auth: AuthConfig & NatsCredentialsConfig & StreamSettings;
  /** The Postgres schema the service owns; its role has rights there only. */
  schema: string;
  // TypeORM takes entity and migration classes as plain constructors.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

/** What every service is made of: health and metrics, its own schema, the bus, API keys. */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        ObservabilityModule.forRoot({ service: options.service }),
        PersistenceModule.forRoot({
          schema: options.schema,
          entities: options.entities,
          migrations: options.migrations,
        }),
        MessagingModule.forRoot({
          service: options.service,
          servers: options.natsUrl,
          streams: Object.values(STREAMS),
          streamReplicas: options.auth.NATS_STREAM_REPLICAS,
          streamLimits: configuredStreamLimits(options.auth),
          batchMaxBytes: options.auth.NATS_BATCH_MAX_BYTES,
          credentials: natsCredentialsOf(options.auth),
        }),
        AuthModule.forRoot(options.auth),
      ],
    };
  }
}
