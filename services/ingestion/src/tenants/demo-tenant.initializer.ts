import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@refinery/messaging';
import { AuthRepository, TENANT_SCOPES } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import { ensureTenantConsumers } from '../admin/tenant-consumers';
import { INGESTION_CONFIG, IngestionConfig } from '../config';

/** `npm start` hands the demo key over in REFINERY_DEMO_API_KEY; make sure it works, with every tenant scope. */
@Injectable()
export class DemoTenantInitializer implements OnApplicationBootstrap {
  private readonly logger = new Logger('tenants');

  constructor(
    private readonly db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.REFINERY_DEMO_API_KEY;
    if (!key) return;
    await ensureTenantConsumers(this.nc, 'demo');
    await new AuthRepository(this.db).ensureTenantWithKey('demo', key, TENANT_SCOPES);
    this.logger.log('tenant "demo" is ready with the key from REFINERY_DEMO_API_KEY');
  }
}
