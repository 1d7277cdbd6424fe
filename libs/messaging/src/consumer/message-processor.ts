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
import { isTransientFailure } from './transient-failure';

/** Calls the Nest handler; resolves with what it returned, rejects with what it threw. */
export type HandlerInvoker = (
  payload: InboundMessage | InboundMessage[],
  ctx: JetStreamContext,
) => Promise<unknown>;

/** A dead-letter queue that cannot be reached is retried soon: the message stays unsettled until then. */
const DEAD_LETTER_RETRY_MS = 5_000;

interface Admitted {
  msg: JsMsg;
  inbound: InboundMessage;
}

/** What a handler call came to: its return value, or what it threw. */
type Called = { result: unknown } | { cause: unknown };

/** Runs one batch (one message for a single-message handler) through decode, handler and settlement. */
export class MessageProcessor {
  private readonly metrics = messagingMetrics();
  private readonly labels: { service: string; consumer: string; subject: string };
  private readonly tenants: TenantCheck;

  constructor(
    private readonly service: string,
    private readonly options: ResolvedConsumerOptions,
    private readonly invoke: HandlerInvoker,
    private readonly js: JetStreamClient,
    private readonly settlement: Settlement,
    private readonly logger: LoggerService,
  ) {
    this.labels = { service, consumer: options.durable, subject: options.filterSubject };
    this.tenants = new TenantCheck(options.filterSubject);
  }

  async process(batch: readonly JsMsg[]): Promise<void> {
    this.metrics.consumed.inc(this.labels, batch.length);
    const admitted: Admitted[] = [];
    for (const msg of batch) {
      const inbound = await this.admit(msg);
      if (inbound) admitted.push({ msg, inbound });
    }
    if (admitted.length === 0) return;
    if (this.options.batchSize === undefined) await this.runSingle(admitted[0]);
    else await this.runBatch(admitted);
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

  private async runSingle({ msg, inbound }: Admitted): Promise<void> {
    const span = startMessageSpan(msg, inbound.traceContext, this.options);
    inbound.traceContext = trace.setSpan(inbound.traceContext, span);
    const stopKeepAlive = this.settlement.keepAlive([msg], this.options.ackWaitMs);
    let error: { cause: unknown } | undefined;
    try {
      const called = await this.call(() =>
        context.with(inbound.traceContext, () =>
          this.invoke(inbound, new JetStreamContext([this.options.durable, [inbound]])),
        ),
      );
      error = await this.settle([msg], [inbound], called);
    } finally {
      stopKeepAlive();
    }
    endSpan(span, error?.cause);
  }

  private async runBatch(admitted: readonly Admitted[]): Promise<void> {
    this.metrics.batchSize.observe(
      { service: this.service, consumer: this.options.durable },
      admitted.length,
    );
    const span = startBatchSpan(
      admitted.map((a) => a.inbound.traceContext),
      this.options,
    );
    // The whole batch stays in hand while parts of it are run again.
    const stopKeepAlive = this.settlement.keepAlive(
      admitted.map((a) => a.msg),
      this.options.ackWaitMs,
    );
    let error: { cause: unknown } | undefined;
    try {
      error = await this.runPart(admitted, span, true);
    } finally {
      stopKeepAlive();
    }
    endSpan(span, error?.cause);
  }

  /**
   * Runs the handler on `part` and settles it. When the handler throws and the error is not
   * transient, each half is run again on its own, down to single messages: one bad message
   * then fails alone while the others are acked. Handlers are idempotent, so what the failed
   * run already did is not done twice. A transient error (database or NATS unavailable) fails
   * the whole part at once instead of a cascade of calls bound to fail the same way.
   */
  private async runPart(
    part: readonly Admitted[],
    span: Span,
    whole: boolean,
  ): Promise<{ cause: unknown } | undefined> {
    const inbound = part.map((a) => a.inbound);
    const called = await this.call(() =>
      context.with(trace.setSpan(context.active(), span), () =>
        this.invoke(inbound, new JetStreamContext([this.options.durable, inbound])),
      ),
    );
    if ('cause' in called && part.length > 1 && !this.isTransient(called.cause)) {
      if (whole) {
        this.logger.warn(
          `${this.options.durable}: a batch of ${part.length} failed (${describeError(called.cause)}); ` +
            'running it again in parts to settle the messages that are not at fault',
        );
      }
      const middle = Math.ceil(part.length / 2);
      const first = await this.runPart(part.slice(0, middle), span, false);
      const second = await this.runPart(part.slice(middle), span, false);
      return first ?? second;
    }
    return this.settle(
      part.map((a) => a.msg),
      inbound,
      called,
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
   * names as failed; when it threw, every message follows the failure path.
   */
  private async settle(
    msgs: readonly JsMsg[],
    inbound: readonly InboundMessage[],
    called: Called,
  ): Promise<{ cause: unknown } | undefined> {
    if ('cause' in called) {
      await Promise.all(msgs.map((msg) => this.fail(msg, called.cause)));
      return { cause: called.cause };
    }
    const failed = new Map<JsMsg, unknown>();
    if (isBatchOutcome(called.result)) {
      for (const { message, error } of called.result.failed) {
        const index = inbound.indexOf(message);
        if (index < 0)
          throw new Error(`${this.options.durable}: a failed message is not in the batch`);
        failed.set(msgs[index], error);
      }
    }
    const [acked] = await Promise.all([
      Promise.all(msgs.filter((m) => !failed.has(m)).map((msg) => this.settlement.ack(msg))),
      Promise.all([...failed].map(([msg, error]) => this.fail(msg, error))),
    ]);
    this.metrics.acked.inc(this.labels, acked.filter(Boolean).length);
    return undefined;
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
