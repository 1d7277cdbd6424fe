import type { AddressInfo } from 'node:net';
import { loadConfig } from '@refinery/runtime';
import { TestTenants, undocumentedRoutes } from '@refinery/testing';
import { stageConfigSchema, StageModule } from '../src';
import { startPipeline, type Pipeline } from './support/pipeline';
import { analysisStage } from './support/test-stages';

// Each stage service is this runtime's StageModule and nothing more (runStageService), and
// deploy/test/route-access.spec.ts finds their routes in the OpenAPI document: one left out of
// it would escape that table of access rules.
describe('the OpenAPI document of a stage service', () => {
  const operatorKey = TestTenants.operatorKey();
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({
      stages: [analysisStage],
      env: { REFINERY_ADMIN_API_KEY: operatorKey },
    });
  });
  afterAll(() => pipeline?.close());

  it('lists every route the stage declares, but the open probes and scrape', async () => {
    const { port } = pipeline.apps[0].getHttpServer().address() as AddressInfo;
    const module = StageModule.forRoot(analysisStage, loadConfig(stageConfigSchema(0), {}));
    expect(await undocumentedRoutes(module, `http://127.0.0.1:${port}`, operatorKey)).toEqual([]);
  });
});
