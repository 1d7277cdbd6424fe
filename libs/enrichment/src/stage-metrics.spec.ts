import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import { stageMetrics } from './stage-metrics';

// The dashboards and alert rules query these by the names and labels the catalog lists.
it('registers the stage metrics of the catalog, with their types and labels', () => {
  stageMetrics();
  expect(catalogMismatches(register, 'enrichment')).toEqual([]);
});
