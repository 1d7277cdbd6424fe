import {
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { DataSource } from 'typeorm';

import { exclusively } from '../locks/exclusively';
import { RetentionJob, type RetentionJobOptions } from './retention-job';
import type { RetentionRule } from './retention-rule';

/** setInterval's longest delay; a longer one would fire at once, over and over. */
export const MAX_RETENTION_INTERVAL = 7 * 86_400_000;

/** The settings a service's retention job reads: how often, and each rule's days. */
export type RetentionConfig<R extends readonly RetentionRule[]> = {
  /** Milliseconds between runs; 0 turns the job off. */
  readonly RETENTION_INTERVAL: number;
} & { readonly [K in R[number]['setting']]: number } & Readonly<Record<string, unknown>>;

/**
 * Runs a retention job every `everyMs` (the first run one interval after start), never two
 * runs at once (nor, through `round`, in two replicas); stopping asks the run in flight to stop
 * after its statement and waits for it.
 */
export class RetentionSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  /** `round`: the job's run as the schedule makes it, by default the run itself. */
  constructor(
    readonly job: RetentionJob,
    private readonly everyMs: number,
    private readonly round: () => Promise<unknown> = () => job.run(),
  ) {
    if (everyMs < 0 || everyMs > MAX_RETENTION_INTERVAL)
      throw new Error(`RETENTION_INTERVAL: must be from 0 to 7d, got ${everyMs} ms`);
  }

  onApplicationBootstrap(): void {
    if (this.everyMs === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.round()
        .then(
          () => undefined,
          (error: unknown) =>
            this.log.error(
              `retention run failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        )
        .finally(() => (this.running = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.job.stop();
    await this.running;
  }
}

/**
 * The provider that runs `rules` against the service's DataSource (PersistenceModule's) every
 * RETENTION_INTERVAL, with each rule's retention from `config`: one line in an app module.
 */
export function retentionJob<const R extends readonly RetentionRule[]>(
  rules: R,
  config: RetentionConfig<R>,
  options?: RetentionJobOptions,
): Provider {
  return {
    provide: RetentionSchedule,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => {
      const job = new RetentionJob(dataSource, rules, config, options);
      // Replicas share the schedule: one of them runs each round.
      const { schema = 'public' } = dataSource.options as { schema?: string };
      const key = `retention:${schema}`;
      return new RetentionSchedule(
        job,
        config.RETENTION_INTERVAL,
        exclusively(dataSource, key, () => job.run()),
      );
    },
  };
}
