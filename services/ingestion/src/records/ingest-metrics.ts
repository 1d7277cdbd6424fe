import { Counter, register } from 'prom-client';

export type IngestOutcome = 'accepted' | 'duplicate' | 'invalid' | 'rejected';

const existing = register.getSingleMetric('refinery_ingest_events_total') as
  Counter<'tenant' | 'type' | 'outcome'> | undefined;

/** Events that reached ingestion, by what became of them. */
export const ingestEvents =
  existing ??
  new Counter({
    name: 'refinery_ingest_events_total',
    help: 'Events received by ingestion, by tenant, record type and outcome',
    labelNames: ['tenant', 'type', 'outcome'],
  });
