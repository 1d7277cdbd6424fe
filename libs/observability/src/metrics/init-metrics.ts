import { Histogram, collectDefaultMetrics, register } from 'prom-client';

let initializedFor: string | undefined;

/**
 * Starts the process metrics (CPU, memory, event loop, GC) on prom-client's default
 * registry, every series labelled with the service. Later calls change nothing.
 */
export function initMetrics(service: string): void {
  if (initializedFor !== undefined) return;
  initializedFor = service;
  register.setDefaultLabels({ service });
  collectDefaultMetrics({ register });
}

export const httpRequestDuration = new Histogram({
  name: 'refinery_http_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [register],
});
