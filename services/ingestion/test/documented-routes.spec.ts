import { loadConfig } from '@refinery/runtime';
import { TestTenants, undocumentedRoutes } from '@refinery/testing';
import { AppModule } from '../src/app.module';
import { IngestionConfigSchema } from '../src/config';
import { startIngestion, type Ingestion } from './ingestion-app';

// deploy/test/route-access.spec.ts finds the routes of the running service in its OpenAPI
// document: one left out of it would escape that table of access rules.
describe('the OpenAPI document of ingestion', () => {
  const operatorKey = TestTenants.operatorKey();
  let ingestion: Ingestion;
  beforeAll(async () => {
    ingestion = await startIngestion({ REFINERY_ADMIN_API_KEY: operatorKey });
  });
  afterAll(() => ingestion?.close());

  it('lists every route the service declares, but the open probes and scrape', async () => {
    const module = AppModule.forRoot(loadConfig(IngestionConfigSchema, {}));
    expect(await undocumentedRoutes(module, ingestion.url, operatorKey)).toEqual([]);
  });
});
