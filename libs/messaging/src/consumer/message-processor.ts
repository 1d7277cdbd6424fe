import type { LoggerService } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
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

/** Runs one batch (one message for a single-message handler) through decode, handler and settlement. */
export class MessageProcessor {
  private readonly metrics = messagingMetrics();
  private readonly labels: { service: string; consumer: string; subject: string };

  constructor(
    private readonly service: string,
    private readonly options: ResolvedConsumerOptions,
    private readonly invoke: HandlerInvoker,
    private readonly js: JetStreamClient,
    private readonly settlement: Settlement,
    private readonly logger: LoggerService,
  ) {
    this.labels = { service, consumer: options.durable, subject: options.filterSubject };
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
    const headers = headersOf(msg);
    return {
      data: decoded.data,
      subject: msg.subject,
      headers,
      stream: msg.info.stream,
      sequence: msg.info.streamSequence,
      deliveryCount,
      msgId: msgIdOf(headers),
      traceContext: extractTraceContext(headers),
    };
  }

  private async runSingle({ msg, inbound }: Admitted): Promise<void> {
    const span = startMessageSpan(msg, inbound.traceContext, this.options);
    inbound.traceContext = trace.setSpan(inbound.traceContext, span);
    const error = await this.run([msg], [inbound], () =>
      context.with(inbound.traceContext, () =>
        this.invoke(inbound, new JetStreamContext([this.options.durable, [inbound]])),
      ),
    );
    endSpan(span, error?.cause);
  }

  private async runBatch(admitted: readonly Admitted[]): Promise<void> {
    const inbound = admitted.map((a) => a.inbound);
    this.metrics.batchSize.observe(
      { service: this.service, consumer: this.options.durable },
      inbound.length,
    );
    const span = startBatchSpan(
      inbound.map((m) => m.traceContext),
      this.options,
    );
    const error = await this.run(
      admitted.map((a) => a.msg),
      inbound,
      () =>
        context.with(trace.setSpan(context.active(), span), () =>
          this.invoke(inbound, new JetStreamContext([this.options.durable, inbound])),
        ),
    );
    endSpan(span, error?.cause);
  }

  /**
   * Acks every message after the handler resolved, except those a returned BatchOutcome
   * names as failed; when it threw, every message follows the failure path.
   */
  private async run(
    msgs: readonly JsMsg[],
    inbound: readonly InboundMessage[],
    handler: () => Promise<unknown>,
  ): Promise<{ cause: unknown } | undefined> {
    const stopKeepAlive = this.settlement.keepAlive(msgs, this.options.ackWaitMs);
    const stopTimer = this.metrics.handlerDuration.startTimer({
      service: this.service,
      consumer: this.options.durable,
    });
    let failure: { cause: unknown } | undefined;
    let result: unknown;
    try {
      result = await handler();
    } catch (cause) {
      failure = { cause };
    } finally {
      stopTimer();
      stopKeepAlive();
    }
    if (failure) {
      await Promise.all(msgs.map((msg) => this.fail(msg, failure.cause)));
      return failure;
    }
    const failed = new Map<JsMsg, unknown>();
    if (isBatchOutcome(result)) {
      for (const { message, error } of result.failed) {
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
