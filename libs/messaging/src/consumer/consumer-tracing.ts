import { ROOT_CONTEXT, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import { ATTR, baseAttributes, SpanKind, tracer } from '../tracing/messaging-attributes';
import type { ResolvedConsumerOptions } from './consumer-options';

const processName = (options: ResolvedConsumerOptions) => `process ${options.filterSubject}`;

/** A CONSUMER span for one message, child of the producer's span when the message carried one. */
export function startMessageSpan(
  msg: JsMsg,
  parent: Context,
  options: ResolvedConsumerOptions,
): Span {
  return tracer().startSpan(
    processName(options),
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...baseAttributes('process', msg.subject),
        [ATTR.consumerGroup]: options.durable,
        [ATTR.stream]: msg.info.stream,
        [ATTR.sequence]: msg.info.streamSequence,
        [ATTR.deliveryCount]: msg.info.deliveryCount,
      },
    },
    parent,
  );
}

/** One CONSUMER span for a batch, linked to each message's producer span. */
export function startBatchSpan(
  parents: readonly Context[],
  options: ResolvedConsumerOptions,
): Span {
  const links: Link[] = [];
  for (const parent of parents) {
    const spanContext = trace.getSpanContext(parent);
    if (spanContext && trace.isSpanContextValid(spanContext)) links.push({ context: spanContext });
  }
  return tracer().startSpan(
    processName(options),
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...baseAttributes('process', options.filterSubject),
        [ATTR.consumerGroup]: options.durable,
        [ATTR.stream]: options.stream,
        [ATTR.batchCount]: parents.length,
      },
    },
    // A batch has many parents; they are links, and the span starts its own trace.
    ROOT_CONTEXT,
  );
}
