import { HealthRegistry } from '@refinery/observability';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { drainConnection } from '../connection/connect-nats';
import { natsReadinessCheck } from '../connection/nats-readiness';
import { NATS_CONNECTION } from './tokens';

/** Registers the `nats` readiness check; drains the connection once the servers have closed. */
@Injectable()
export class MessagingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register(natsReadinessCheck(this.connection));
  }

  // Nest closes microservices (JetStreamServer.close) before this hook runs.
  async onApplicationShutdown(): Promise<void> {
    await drainConnection(this.connection);
  }
}
