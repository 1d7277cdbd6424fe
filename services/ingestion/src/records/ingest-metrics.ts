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

/** Counts a batch's outcomes with one increment per distinct label set, not one per event. */
export function countOutcomes(
  events: readonly { tenant: string; type: string; outcome: IngestOutcome }[],
): void {
  const counts = new Map<string, number>();
  for (const { tenant, type, outcome } of events) {
    const key = `${tenant}\n${type}\n${outcome}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) {
    const [tenant, type, outcome] = key.split('\n');
    ingestEvents.inc({ tenant, type, outcome }, n);
  }
}
