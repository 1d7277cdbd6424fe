import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { INGESTION_CONFIG, IngestionConfig } from '../config';
import { TenantsRepository } from './tenants.repository';

/** `npm start` hands the demo key over in REFINERY_DEMO_API_KEY; make sure it works. */
@Injectable()
export class DemoTenantInitializer implements OnApplicationBootstrap {
  private readonly logger = new Logger('tenants');

  constructor(
    private readonly tenants: TenantsRepository,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.REFINERY_DEMO_API_KEY;
    if (!key) return;
    await this.tenants.ensureTenantWithKey('demo', 'Demo', key);
    this.logger.log('tenant "demo" is ready with the key from REFINERY_DEMO_API_KEY');
  }
}
