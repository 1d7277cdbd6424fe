import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import {
  resolveConsumerOptions,
  type ConsumerOptions,
  type ResolvedConsumerOptions,
} from './consumer-options';
import { RpcErrorPassthroughFilter } from './rpc-error-passthrough.filter';

/** Handlers carrying it are served by JetStreamServer only, not by other transports. */
export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM_TRANSPORT');
const EXTRAS_KEY = 'jetstreamConsumer';

/**
 * Marks a controller method as the handler of a durable JetStream pull consumer. It receives
 * an InboundMessage (or InboundMessage[] with `batchSize`); the message is acked once it
 * resolves, retried by the schedule when it throws, and dead-lettered when it throws
 * NonRetryableError or on the last attempt.
 */
export function JetStreamConsumer(options: ConsumerOptions): MethodDecorator {
  const resolved = resolveConsumerOptions(options);
  return applyDecorators(
    EventPattern(resolved.durable, JETSTREAM_TRANSPORT, { [EXTRAS_KEY]: resolved }),
    UseFilters(new RpcErrorPassthroughFilter()),
  );
}

/** The options a handler was registered with, or undefined for a handler that is not ours. */
export function consumerOptionsOf(
  extras: Record<string, unknown> | undefined,
): ResolvedConsumerOptions | undefined {
  const value = extras?.[EXTRAS_KEY];
  return typeof value === 'object' && value !== null && 'durable' in value
    ? (value as ResolvedConsumerOptions)
    : undefined;
}
