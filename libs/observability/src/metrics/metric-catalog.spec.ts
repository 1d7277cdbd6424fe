import { Counter, Gauge, register, Registry } from 'prom-client';
import './init-metrics';
import { catalogMismatches } from './metric-catalog';

describe('the metric catalog', () => {
  it('lists the HTTP metric this lib registers, with its type and labels', () => {
    expect(catalogMismatches(register, 'observability')).toEqual([]);
  });

  it('reports a metric registered unlisted or in another shape, and one listed but missing', () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'refinery_unlisted_total', help: 'x', registers });
    new Gauge({
      name: 'refinery_ingest_events_total',
      help: 'x',
      labelNames: ['tenant'],
      registers,
    });
    expect(catalogMismatches(registry, 'ingestion')).toEqual([
      'refinery_unlisted_total: registered as counter {}, not in the catalog',
      'refinery_ingest_events_total: registered as gauge {tenant}, listed as counter {outcome, tenant, type}',
    ]);
    expect(catalogMismatches(new Registry(), 'ingestion')).toEqual([
      'refinery_ingest_events_total: listed, not registered',
    ]);
  });
});
