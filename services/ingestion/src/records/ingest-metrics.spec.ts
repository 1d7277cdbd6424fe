import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import './ingest-metrics';

// The dashboards and alert rules query these by the names and labels the catalog lists.
it('registers the ingest metrics of the catalog, with their types and labels', () => {
  expect(catalogMismatches(register, 'ingestion')).toEqual([]);
});
