import { Logger } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';

const log = new Logger('QualityMetrics');

type Setter = (labels: Record<string, string>, value: number) => void;

/**
 * A gauge whose values are read from the database (or NATS) when Prometheus scrapes. One
 * failing source leaves its gauge empty, not the whole scrape.
 */
export function scrapedGauge(
  name: string,
  help: string,
  labelNames: string[],
  fill: (set: Setter) => Promise<void>,
): void {
  register.removeSingleMetric(name);
  new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      this.reset();
      await fill((labels, value) => this.set(labels, value)).catch((error: unknown) =>
        log.warn(`${name}: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
  });
}

/**
 * `load` once per scrape: every gauge's collect runs in the same scrape, so they share one
 * round of queries, kept for a second.
 */
export function oncePerScrape<T>(load: () => Promise<T>): () => Promise<T> {
  let latest: Promise<T> | undefined;
  return () =>
    (latest ??= load().finally(() => {
      setTimeout(() => (latest = undefined), 1_000).unref();
    }));
}

/** A counter registered once per process, however many monitors it runs. */
export const sharedCounter = <L extends string>(
  config: ConstructorParameters<typeof Counter<L>>[0],
): Counter<L> =>
  (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
