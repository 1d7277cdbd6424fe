import {
  enrichesSeedRecords,
  startPipeline,
  stagesOf,
  type Pipeline,
} from '../../libs/enrichment/test/support/pipeline';
import { STAGES } from './support/stages';

/** The three real stages, each from its own service, together with the local model. */
describe('the enrichment stages with the local model', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ stages: STAGES });
  });
  afterAll(() => pipeline.close());

  it('complete every record once, classifying only records with a problem', async () => {
    await enrichesSeedRecords(pipeline);

    const found = new Set<boolean>();
    for (const { data } of await pipeline.completed()) {
      const stages = stagesOf(data);
      const problems = stages['order-analysis']?.output?.problems ?? [];
      const none = problems.every((p) => p.code === 'NONE');
      expect(stages.classification?.status).toBe(none ? 'SKIPPED' : 'COMPLETED');
      found.add(none);
    }
    expect(found).toEqual(new Set([true, false]));
  });
});
