import { Counter, Gauge, register } from 'prom-client';
import type { LearningMetricsRepository } from './learning-metrics.repository';

const existing = <T>(name: string) => register.getSingleMetric(name) as T | undefined;

/** Feedback by type, counted as it is recorded; the negative-feedback rate divides these. */
export const feedbackCounter = () =>
  existing<Counter<'tenant' | 'type' | 'negative'>>('refinery_learning_feedback_total') ??
  new Counter({
    name: 'refinery_learning_feedback_total',
    help: 'Feedback recorded, by tenant, type and whether it was negative',
    labelNames: ['tenant', 'type', 'negative'],
  });

/** Learning items applied (and announced on learning.applied). */
export const appliedCounter = () =>
  existing<Counter>('refinery_learning_applied_total') ??
  new Counter({ name: 'refinery_learning_applied_total', help: 'Learning items applied' });

/** Items in the queue by tenant and status, read from the database when Prometheus scrapes. */
export function registerQueueDepth(repository: LearningMetricsRepository): void {
  if (existing('refinery_learning_queue_items')) return;
  new Gauge({
    name: 'refinery_learning_queue_items',
    help: 'Learning-queue items by tenant and status',
    labelNames: ['tenant', 'status'],
    async collect() {
      this.reset();
      for (const row of await repository.depth())
        this.set({ tenant: row.tenant, status: row.status }, row.items);
    },
  });
}
