import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import type { LearningMetricsRepository } from './learning-metrics.repository';
import { appliedCounter, feedbackCounter, registerQueueDepth } from './learning-metrics';

// The dashboards and alert rules query these by the names and labels the catalog lists.
it("registers learning's metrics of the catalog, with their types and labels", () => {
  feedbackCounter();
  appliedCounter();
  registerQueueDepth({ depth: async () => [] } as unknown as LearningMetricsRepository);
  expect(catalogMismatches(register, 'learning')).toEqual([]);
});
