import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import { messagingMetrics } from './messaging-metrics';

// The dashboards and alert rules query these by the names and labels the catalog lists.
it('registers the messaging metrics of the catalog, with their types and labels', () => {
  messagingMetrics();
  expect(catalogMismatches(register, 'messaging')).toEqual([]);
});
