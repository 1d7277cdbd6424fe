import type { LoggerService } from '@nestjs/common';
import { context, trace, type Span } from '@opentelemetry/api';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { endSpan } from '../tracing/messaging-attributes';
import { extractTraceContext } from '../tracing/trace-headers';
import { messagingMetrics } from '../metrics/messaging-metrics';
import type { ResolvedConsumerOptions } from './consumer-options';
import { startBatchSpan, startMessageSpan } from './consumer-tracing';
import { publishDeadLetter } from './dead-letter';
import { decodePayload } from './decode-payload';
import { describeError, isMaskedByNest } from './describe-error';
import { headersOf, msgIdOf, type InboundMessage } from './inbound-message';
import { JetStreamContext } from './jetstream.context';
import { isNonRetryable } from './non-retryable.error';
import { isBatchOutcome } from './batch-outcome';
import {
  attemptsOf,
  exceedsAttempts,
  outcomeOfFailure,
  type DeadLetterReason,
} from './retry-schedule';
import type { Settlement } from './settlement';
import { TenantCheck } from './tenant-check';
import type { OutageWatch } from './outage';
import { isTransientFailure } from './transient-failure';

/** Calls the Nest handler; resolves with what it returned, rejects with what it threw. */
export type HandlerInvoker = (
  payload: InboundMessage | InboundMessage[],
  ctx: JetStreamContext,
) => Promise<unknown>;

/** A dead-letter queue that cannot be reached is retried soon: the message stays unsettled until then. */
const DEAD_LETTER_RETRY_MS = 5_000;
/** How often a consumer paused by an outage says it still is. */
const STILL_PAUSED_LOG_MS = 60_000;

interface Admitted {
  msg: JsMsg;
  inbound: InboundMessage;
}

/** What a handler call came to: its return value, or what it threw. */
type Called = { result: unknown } | { cause: unknown };

/**
 * What a run of part of a batch left: the error to record on the span, if any, and the
 * messages that failed for a transient cause, unsettled, with the first such cause.
 */
interface PartOutcome {
  error?: { cause: unknown };
  held: Admitted[];
  heldCause?: unknown;
}

export interface ProcessorLifecycle {
  /** Tells an outage from a failure of the work, and waits one out. */
  outage: OutageWatch;
  /** Aborts when the consumer stops: an outage is no longer waited out. */
  stopping: AbortSignal;
  /** Called when an outage pauses the consumer: the runner stops pulling until it is over. */
  onPause?: () => void;
}

/**
 * Runs one batch (one message for a single-message handler) through decode, handler and
 * settlement. A failure of the work follows the retry schedule. A transient failure while a
 * dependency is away (the database or NATS does not answer) is an outage: the batch is held,
 * kept alive, and run again once they answer, so its messages keep their delivery count and
 * no retry is used up; meanwhile the consumer fetches nothing new (`onPause`).
 */
export class MessageProcessor {
  private readonly metrics = messagingMetrics();
  private readonly labels: { service: string; consumer: string; subject: string };
  private readonly tenants: TenantCheck;
  /** Set while an outage is being waited out, and left set when the consumer stopped during one. */
  private pausedSince?: number;

  constructor(
    private readonly service: string,
    private readonly options: ResolvedConsumerOptions,
    private readonly invoke: HandlerInvoker,
    private readonly js: JetStreamClient,
    private readonly settlement: Settlement,
    private readonly logger: LoggerService,
    private readonly lifecycle: ProcessorLifecycle,
  ) {
    this.labels = { service, consumer: options.durable, subject: options.filterSubject };
    this.tenants = new TenantCheck(options.filterSubject);
  }

  /** Whether the consumer is holding a batch until an outage ends. */
  get paused(): boolean {
    return this.pausedSince !== undefined;
  }

  async process(batch: readonly JsMsg[]): Promise<void> {
    this.metrics.consumed.inc(this.labels, batch.length);
    if (this.lifecycle.stopping.aborted && this.paused) {
      // Stopping during an outage: what was fetched before it goes back untouched.
      this.release(batch.length);
      return;
    }
    const admitted: Admitted[] = [];
    for (const msg of batch) {
      const inbound = await this.admit(msg);
      if (inbound) admitted.push({ msg, inbound });
    }
    if (admitted.length === 0) return;
    let span: Span;
    if (this.options.batchSize === undefined) {
      const [{ msg, inbound }] = admitted;
      span = startMessageSpan(msg, inbound.traceContext, this.options);
      inbound.traceContext = trace.setSpan(inbound.traceContext, span);
    } else {
      this.metrics.batchSize.observe(
        { service: this.service, consumer: this.options.durable },
        admitted.length,
      );
      span = startBatchSpan(
        admitted.map((a) => a.inbound.traceContext),
        this.options,
      );
    }
    const error = await this.run(admitted, span);
    endSpan(span, error?.cause);
  }

  /** Decodes a message, or dead-letters it when no handler run could succeed. */
  private async admit(msg: JsMsg): Promise<InboundMessage | undefined> {
    const deliveryCount = msg.info.deliveryCount;
    if (exceedsAttempts(this.options.retry, deliveryCount)) {
      await this.deadLetter(
        msg,
        'max_deliveries',
        `exceeded max deliveries (${deliveryCount} > ${attemptsOf(this.options.retry)} attempts)`,
      );
      return undefined;
    }
    const decoded = decodePayload(msg.data, this.options.schema, this.options.decode);
    if (!decoded.ok) {
      await this.deadLetter(msg, decoded.reason, decoded.detail);
      return undefined;
    }
    const mismatch = this.tenants.mismatch(msg.subject, decoded.data);
    if (mismatch) {
      const detail = `the subject names tenant "${mismatch.subject}" but the payload names "${mismatch.payload}"`;
      await this.deadLetter(msg, 'tenant_mismatch', detail);
      return undefined;
    }
    const headers = headersOf(msg);
    return {
      data: decoded.data,
      subject: msg.subject,
      headers,
      stream: msg.info.stream,
      sequence: msg.info.streamSequence,
      storedAt: msg.timestampNanos,
      deliveryCount,
      msgId: msgIdOf(headers),
      traceContext: extractTraceContext(headers),
    };
  }

  /**
   * Runs the handler until every message is settled: acked, or failed on the retry schedule,
   * or, when an outage outlasts the consumer, handed back. The messages still in hand are kept
   * alive (ack_wait) all along, through any outage too, while NATS is there to hear it.
   */
  private async run(admitted: Admitted[], span: Span): Promise<{ cause: unknown } | undefined> {
    let pending = admitted;
    let error: { cause: unknown } | undefined;
    const stopKeepAlive = this.settlement.keepAlive(
      () => pending.map((a) => a.msg),
      this.options.ackWaitMs,
    );
    try {
      for (;;) {
        const outcome = await this.runPart(pending, span, true);
        error ??= outcome.error;
        if (outcome.held.length === 0) return error;
        pending = outcome.held;
        const cause = outcome.heldCause;
        const problem = await this.lifecycle.outage.find(Date.now());
        if (problem === undefined) {
          // Every dependency answers: the work itself failed (a deadlock, a statement timeout,
          // a connection of its own lost), and its retries are what it uses up.
          await Promise.all(pending.map((a) => this.fail(a.msg, cause)));
          return error ?? { cause };
        }
        if (!(await this.waitOut(problem, pending.length, span))) {
          this.release(pending.length);
          return error ?? { cause };
        }
      }
    } finally {
      stopKeepAlive();
    }
  }

  /**
   * Runs the handler on `part` and settles it. When the handler throws and the error is not
   * transient, each half is run again on its own, down to single messages: one bad message
   * then fails alone while the others are acked. Handlers are idempotent, so what the failed
   * run already did is not done twice. A transient error (database or NATS unavailable) holds
   * the whole part at once, unsettled, instead of a cascade of calls bound to fail the same way.
   */
  private async runPart(
    part: readonly Admitted[],
    span: Span,
    whole: boolean,
  ): Promise<PartOutcome> {
    const called = await this.invokeOn(part, span);
    if ('cause' in called && this.isTransient(called.cause)) {
      return { held: [...part], heldCause: called.cause };
    }
    if ('cause' in called && part.length > 1) {
      if (whole) {
        this.logger.warn(
          `${this.options.durable}: a batch of ${part.length} failed (${describeError(called.cause)}); ` +
            'running it again in parts to settle the messages that are not at fault',
        );
      }
      const middle = Math.ceil(part.length / 2);
      const first = await this.runPart(part.slice(0, middle), span, false);
      // The first half met an outage: the second would too.
      const second: PartOutcome =
        first.held.length > 0
          ? { held: part.slice(middle) }
          : await this.runPart(part.slice(middle), span, false);
      return {
        error: first.error ?? second.error,
        held: [...first.held, ...second.held],
        heldCause: first.heldCause ?? second.heldCause,
      };
    }
    return this.settle(part, called);
  }

  /** The handler on `part`: one message, or the batch, inside the span. */
  private invokeOn(part: readonly Admitted[], span: Span): Promise<Called> {
    const inbound = part.map((a) => a.inbound);
    if (this.options.batchSize === undefined) {
      const [one] = inbound;
      return this.call(() =>
        context.with(one.traceContext, () =>
          this.invoke(one, new JetStreamContext([this.options.durable, [one]])),
        ),
      );
    }
    return this.call(() =>
      context.with(trace.setSpan(context.active(), span), () =>
        this.invoke(inbound, new JetStreamContext([this.options.durable, inbound])),
      ),
    );
  }

  private isTransient(error: unknown): boolean {
    return !this.settlement.connected || isTransientFailure(error);
  }

  private async call(handler: () => Promise<unknown>): Promise<Called> {
    const stopTimer = this.metrics.handlerDuration.startTimer({
      service: this.service,
      consumer: this.options.durable,
    });
    try {
      return { result: await handler() };
    } catch (cause) {
      return { cause };
    } finally {
      stopTimer();
    }
  }

  /**
   * Acks every message after the handler resolved, except those a returned BatchOutcome
   * names as failed; when it threw, every message follows the failure path. A message failed
   * for a transient cause is held, unsettled, for the caller to tell an outage from the rest.
   */
  private async settle(part: readonly Admitted[], called: Called): Promise<PartOutcome> {
    if ('cause' in called) {
      await Promise.all(part.map((a) => this.fail(a.msg, called.cause)));
      return { error: { cause: called.cause }, held: [] };
    }
    const failed = new Map<Admitted, unknown>();
    if (isBatchOutcome(called.result)) {
      const byInbound = new Map(part.map((a) => [a.inbound, a]));
      for (const { message, error } of called.result.failed) {
        const found = byInbound.get(message);
        if (!found)
          throw new Error(`${this.options.durable}: a failed message is not in the batch`);
        failed.set(found, error);
      }
    }
    const held: Admitted[] = [];
    let heldCause: unknown;
    const failing: [Admitted, unknown][] = [];
    for (const [admitted, error] of failed) {
      if (this.isTransient(error)) {
        held.push(admitted);
        heldCause ??= error;
      } else failing.push([admitted, error]);
    }
    const [acked] = await Promise.all([
      Promise.all(part.filter((a) => !failed.has(a)).map((a) => this.settlement.ack(a.msg))),
      Promise.all(failing.map(([a, error]) => this.fail(a.msg, error))),
    ]);
    this.metrics.acked.inc(this.labels, acked.filter(Boolean).length);
    return held.length > 0 ? { held, heldCause } : { held };
  }

  /**
   * Holds the consumer until every dependency answers again; false when it stops first. Says
   * so in the log when it pauses, every minute it stays paused, and when it resumes.
   */
  private async waitOut(problem: string, count: number, span: Span): Promise<boolean> {
    const durable = this.options.durable;
    const since = Date.now();
    this.pausedSince = since;
    this.lifecycle.onPause?.();
    this.logger.warn(
      `${durable}: paused by an outage: ${problem}; holding ${count} message(s), which keep their ` +
        'delivery count and retries, and fetching no more until it ends',
    );
    span.addEvent('outage paused', { reason: problem });
    let said = since;
    const resumed = await this.lifecycle.outage.waitOut(this.lifecycle.stopping, (still) => {
      if (Date.now() - said < STILL_PAUSED_LOG_MS) return;
      said = Date.now();
      this.logger.warn(
        `${durable}: still paused by an outage after ${seconds(said - since)} s: ${still}`,
      );
    });
    if (!resumed) return false;
    this.pausedSince = undefined;
    span.addEvent('outage resumed');
    this.logger.log(
      `${durable}: resumed after an outage of ${seconds(Date.now() - since)} s; ` +
        `running the ${count} held message(s) again`,
    );
    return true;
  }

  /**
   * Stopping during an outage: the messages are left unsettled, to come back after ack_wait to
   * another replica or the next start, as after any stop. (No nak: pulling has ended, and a nak
   * with no pull waiting is redelivered out of order by nats-server 2.9.)
   */
  private release(count: number): void {
    this.logger.warn(
      `${this.options.durable}: stopping during an outage; ${count} message(s) left unsettled, ` +
        'for redelivery after ack_wait',
    );
  }

  private async fail(msg: JsMsg, error: unknown): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    const outcome = outcomeOfFailure(
      this.options.retry,
      deliveryCount,
      isNonRetryable(error),
      this.options.retryJitter,
    );
    if (isMaskedByNest(error)) {
      this.logger.warn(
        `${this.options.durable}: an exception filter replaced the handler's error; ` +
          'a filter on the handler itself must hand errors on (see RpcErrorPassthroughFilter)',
      );
    }
    if (outcome.action === 'dead-letter') {
      return this.deadLetter(msg, outcome.reason, describeError(error));
    }
    this.logger.warn(
      `${this.options.durable}: ${msg.subject} (${msg.info.stream}#${msg.info.streamSequence}) failed on attempt ` +
        `${deliveryCount} of ${attemptsOf(this.options.retry)}, retrying in ${outcome.delayMs} ms: ${describeError(error)}`,
    );
    if (await this.settlement.nak(msg, outcome.delayMs)) this.metrics.nakked.inc(this.labels);
  }

  private async deadLetter(msg: JsMsg, reason: DeadLetterReason, detail: string): Promise<void> {
    const where = `${msg.subject} (${msg.info.stream}#${msg.info.streamSequence}, delivery ${msg.info.deliveryCount})`;
    try {
      await this.settlement.ready();
      await publishDeadLetter(this.js, msg, {
        reason,
        detail,
        service: this.service,
        consumer: this.options.durable,
      });
    } catch (error) {
      // Without its DLQ copy the message must not be terminated: ask for it again later.
      const delayMs = DEAD_LETTER_RETRY_MS;
      this.logger.error(
        `${this.options.durable}: could not dead-letter ${where}, retrying in ${delayMs} ms: ${describeError(error)}`,
      );
      await this.settlement.nak(msg, delayMs);
      return;
    }
    this.logger.error(`${this.options.durable}: dead-lettered ${where}: ${reason}: ${detail}`);
    if (await this.settlement.term(msg)) this.metrics.deadLettered.inc({ ...this.labels, reason });
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
