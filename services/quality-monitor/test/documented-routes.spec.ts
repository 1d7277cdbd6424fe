import { loadConfig } from '@refinery/runtime';
import { undocumentedRoutes } from '@refinery/testing';
import { AppModule } from '../src/app.module';
import { QualityConfigSchema } from '../src/config';
import { OPERATOR_KEY, startMonitor, type Monitor } from './monitor-app';

// deploy/test/route-access.spec.ts finds the routes of the running service in its OpenAPI
// document: one left out of it would escape that table of access rules.
describe('the OpenAPI document of the quality monitor', () => {
  let monitor: Monitor;
  beforeAll(async () => {
    monitor = await startMonitor();
  });
  afterAll(() => monitor?.close());

  it('lists every route the service declares, but the open probes and scrape', async () => {
    const module = AppModule.forRoot(loadConfig(QualityConfigSchema, {}));
    expect(await undocumentedRoutes(module, monitor.url, OPERATOR_KEY)).toEqual([]);
  });
});
