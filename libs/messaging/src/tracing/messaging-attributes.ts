import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

export const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operation: 'messaging.operation',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  stream: 'messaging.nats.stream',
  sequence: 'messaging.nats.sequence',
  deliveryCount: 'messaging.nats.delivery_count',
  duplicate: 'messaging.nats.duplicate',
} as const;

export const tracer = (): Tracer => trace.getTracer('@refinery/messaging');

export { SpanKind };

export function baseAttributes(operation: 'publish' | 'process', destination: string): Attributes {
  return { [ATTR.system]: 'nats', [ATTR.operation]: operation, [ATTR.destination]: destination };
}

export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}
