import type { Logger } from '@nestjs/common';

/**
 * Runs a task every so often, never two at once: a run longer than the interval is not
 * overtaken by the next. A failed run is logged and the next one goes ahead; `stop` waits for
 * the run in flight, so shutdown does not cut one short.
 */
export class Periodic {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly task: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Every `everyMs`; 0 leaves the task to whoever calls it. */
  start(everyMs: number): void {
    if (everyMs === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.task()
        .then(
          () => undefined,
          (error: unknown) =>
            this.log.error(
              `${this.what} failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        )
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
