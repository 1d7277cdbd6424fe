import {
  enrichesSeedRecords,
  startStageServices,
  stagesOf,
  type StageServices,
} from '@refinery/enrichment/testing';

/** The three stage services, each its own process from the build, with the local model. */
describe('the enrichment stages with the local model', () => {
  let pipeline: StageServices;
  beforeAll(async () => {
    pipeline = await startStageServices();
  });
  afterAll(() => pipeline?.close());

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
