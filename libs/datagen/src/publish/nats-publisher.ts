import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  connect,
  PermissionViolationError,
  type NatsConnection,
} from '@nats-io/transport-node';
import { subjectOf, TenantSlugSchema } from '@refinery/contracts';
import { RECORD_EVENT_TYPES, Tally } from './counts';
import type { GeneratedEvent } from './event-template';
import type { EventPublisher, PublishSummary, TypeCounts } from './publisher';
import { TokenBucket } from './token-bucket';
import { Waiters } from './waiters';

export interface NatsPublisherOptions {
  /** nats://host:port */
  url: string;
  /** The tenant whose `ingest.<tenant>.<type>` subjects the events go to. */
  tenant: string;
  user?: string;
  password?: string;
  /** Events per second; undefined: as fast as JetStream acks them. */
  rate?: number;
}

/** Publishes awaiting their ack at once: enough to keep the pipe full, few enough to bound memory. */
const MAX_IN_FLIGHT = 512;
const ATTEMPTS = 5;
const ACK_TIMEOUT_MS = 5_000;

/**
 * Publishes each event to `ingest.<tenant>.<type>` through JetStream, as an upstream system
 * does. Ingestion stores or rejects it later, on its own: this summary has no accepted or
 * rejected counts, only `sent` (acked by the INGEST stream), `duplicates` (acked as already
 * held: JetStream dropped it by its `Nats-Msg-Id`) and `skipped` (not sent: types the contracts
 * do not know, and behavioural events, `track` and `identify`, which ingestion takes over HTTP
 * only: there is no `ingest.*` subject for them). A retried publish acked as duplicate was
 * stored by the attempt before, so it is not counted as a duplicate. Past the stream's duplicate
 * window (2 minutes) a rerun is stored in the stream again, and it is ingestion that finds the
 * records already there.
 */
export class NatsPublisher implements EventPublisher {
  private readonly tally = new Tally();
  private readonly waiters = new Waiters();
  private readonly bucket?: TokenBucket;
  private readonly connecting: Promise<NatsConnection | undefined>;
  private js?: JetStreamClient;
  private queue: GeneratedEvent[] = [];
  private inFlight = 0;
  private failure?: Error;

  constructor(private readonly options: NatsPublisherOptions) {
    const slug = TenantSlugSchema.safeParse(options.tenant);
    if (!slug.success) {
      throw new Error(`"${options.tenant}" is not a tenant slug: ${slug.error.issues[0].message}`);
    }
    const { rate } = options;
    // Bursts of a tenth of a second's worth: fewer timers than one per message.
    if (rate !== undefined) this.bucket = new TokenBucket(rate, Math.max(1, Math.ceil(rate / 10)));
    const as = options.user ? ` as ${options.user}` : '';
    this.connecting = connect({
      servers: options.url,
      user: options.user,
      pass: options.password,
      name: 'refinery-datagen',
    }).then(
      (nc) => {
        this.js = jetstream(nc, { timeout: ACK_TIMEOUT_MS });
        this.dispatch();
        return nc;
      },
      (error: Error) => {
        this.fail(new Error(`could not connect to NATS at ${options.url}${as}: ${error.message}`));
        return undefined;
      },
    );
  }

  publish(event: GeneratedEvent): void {
    if (this.failure) throw this.failure;
    if (!RECORD_EVENT_TYPES.has(event.type)) return this.tally.add(event.type, 'skipped');
    this.queue.push(event);
    this.dispatch();
  }

  pause(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length >= MAX_IN_FLIGHT * 2) {
      return this.waiters.until(() => this.queue.length < MAX_IN_FLIGHT, this.failure);
    }
    // The generator runs without a break otherwise: let the acks come in.
    return this.inFlight > 0 ? new Promise((resolve) => setImmediate(resolve)) : undefined;
  }

  counts(): TypeCounts {
    return this.tally.counts();
  }

  async close(): Promise<PublishSummary> {
    const nc = await this.connecting;
    try {
      await this.waiters.until(() => this.queue.length === 0 && this.inFlight === 0, this.failure);
    } finally {
      await nc?.close();
    }
    return this.tally.summary(this.options.url);
  }

  private dispatch(): void {
    if (!this.js || this.failure) return;
    const room = MAX_IN_FLIGHT - this.inFlight;
    if (room <= 0 || this.queue.length === 0) return;
    for (const event of this.queue.splice(0, room)) {
      this.inFlight++;
      this.send(this.js, event).then(
        () => this.settled(),
        (error: Error) => this.settled(error),
      );
    }
  }

  private settled(error?: Error): void {
    this.inFlight--;
    if (error) this.fail(error);
    this.dispatch();
    this.waiters.check(this.failure);
  }

  private async send(js: JetStreamClient, event: GeneratedEvent): Promise<void> {
    const { tenant } = this.options;
    const subject = subjectOf('ingest', { tenant, type: event.type });
    // The key ingestion stores a record by (tenant, source, external_id): one message per record.
    const msgID = `${tenant}:${event.source}:${event.external_id}`;
    const body = JSON.stringify(event);
    await this.bucket?.take(1);
    for (let attempt = 1; ; attempt++) {
      if (this.failure) return;
      try {
        const ack = await js.publish(subject, body, { msgID });
        this.tally.add(event.type, 'sent');
        if (ack.duplicate && attempt === 1) this.tally.add(event.type, 'duplicates');
        return;
      } catch (error) {
        const permanent =
          error instanceof PermissionViolationError || error instanceof ClosedConnectionError;
        if (permanent || attempt >= ATTEMPTS) {
          const why = (error as Error).message;
          throw new Error(`could not publish to ${subject} (attempt ${attempt}): ${why}`);
        }
        await sleep(Math.min(4000, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiters.check(this.failure);
  }
}
