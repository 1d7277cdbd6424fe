import { Logger } from '@nestjs/common';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS, filterOf, STREAMS } from '@refinery/contracts';
import type { ServedModels } from './served-models';
import { stageMetrics } from './stage-metrics';

const RESTART_DELAY_MS = 2_000;

/**
 * Reads the stage's `models.published` from the last message of each tenant on, through an ordered
 * consumer of this process alone: every replica of a stage loads every announcement. `ready`
 * resolves once the announcements made before the start are in (or after `waitMs`), and the
 * stage's first batch waits for it, so a restarted stage never answers with a model it has
 * already replaced.
 */
export class ModelFollower {
  private readonly log: Logger;
  private readonly metrics = stageMetrics();
  private messages?: ConsumerMessages;
  private stopping = false;
  private loop?: Promise<void>;
  private caughtUp!: () => void;
  readonly ready: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly served: ServedModels,
    private readonly model: string,
    private readonly stage: string,
    private readonly tenant: string | undefined,
    waitMs = 15_000,
  ) {
    this.log = new Logger(stage);
    // Both series from the start, so a dashboard shows 0 rather than nothing.
    for (const outcome of ['loaded', 'rejected']) this.metrics.swaps.inc({ stage, outcome }, 0);
    this.ready = new Promise<void>((resolve) => {
      this.caughtUp = resolve;
      setTimeout(() => {
        if (!this.stopping) this.log.warn(`model announcements not read within ${waitMs} ms`);
        resolve();
      }, waitMs).unref();
    });
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.caughtUp();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping && !this.nc.isClosed()) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) break;
        this.log.error(`following model announcements stopped: ${String(error)}`);
      }
      if (this.stopping) break;
      await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
    }
  }

  private async follow(): Promise<void> {
    const stream = STREAMS[EVENTS['models.published'].stream].name;
    const filter = filterOf('models.published', {
      model: this.model,
      ...(this.tenant ? { tenant: this.tenant } : {}),
    });
    // No announcement stored: nothing to wait for.
    const info = await (
      await jetstreamManager(this.nc)
    ).streams.info(stream, {
      subjects_filter: filter,
    });
    if (Object.keys(info.state.subjects ?? {}).length === 0) this.caughtUp();
    const consumer = await jetstream(this.nc).consumers.get(stream, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    this.messages = await consumer.consume();
    for await (const message of this.messages) {
      this.take(message.json());
      if (message.info.pending === 0) this.caughtUp();
    }
  }

  private take(raw: unknown): void {
    const parsed = EVENTS['models.published'].schema.safeParse(raw);
    if (!parsed.success) {
      this.metrics.swaps.inc({ stage: this.stage, outcome: 'rejected' });
      this.log.error(`a model announcement that does not match its schema was ignored`);
      return;
    }
    const event = parsed.data;
    try {
      const swap = this.served.apply(event);
      if (!swap) return;
      this.metrics.swaps.inc({ stage: this.stage, outcome: 'loaded' });
      this.log.log(`${swap.tenant}: now serving ${swap.to} (was ${swap.from})`);
    } catch (error) {
      this.metrics.swaps.inc({ stage: this.stage, outcome: 'rejected' });
      this.log.error(`${event.tenant}: model announcement rejected: ${String(error)}`);
    }
  }
}
