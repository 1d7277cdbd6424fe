import { Counter, Histogram, register } from 'prom-client';

function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Shared by every stage: the `stage` label tells them apart on one dashboard. */
export function stageMetrics() {
  return {
    outcomes: metric(
      'refinery_enrichment_outcomes_total',
      () =>
        new Counter({
          name: 'refinery_enrichment_outcomes_total',
          help: 'Stage attempts by outcome: COMPLETED, SKIPPED, PENDING (a retry is scheduled) or FAILED',
          labelNames: ['stage', 'status'],
        }),
    ),
    duplicates: metric(
      'refinery_enrichment_duplicates_total',
      () =>
        new Counter({
          name: 'refinery_enrichment_duplicates_total',
          help: 'Deliveries of a record the stage had already finished; nothing is run or published twice',
          labelNames: ['stage'],
        }),
    ),
    reviews: metric(
      'refinery_enrichment_reviews_requested_total',
      () =>
        new Counter({
          name: 'refinery_enrichment_reviews_requested_total',
          help: 'Records kept with a confidence below the threshold and sent for human review',
          labelNames: ['stage'],
        }),
    ),
    swaps: metric(
      'refinery_enrichment_model_swaps_total',
      () =>
        new Counter({
          name: 'refinery_enrichment_model_swaps_total',
          help: 'Registry models a stage loaded without a restart, by outcome: loaded, or rejected (bad weights)',
          labelNames: ['stage', 'outcome'],
        }),
    ),
    aiDuration: metric(
      'refinery_enrichment_ai_duration_seconds',
      () =>
        new Histogram({
          name: 'refinery_enrichment_ai_duration_seconds',
          help: 'Time an AI provider took for one record',
          labelNames: ['stage', 'provider', 'outcome'],
          buckets: [0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30],
        }),
    ),
  };
}
