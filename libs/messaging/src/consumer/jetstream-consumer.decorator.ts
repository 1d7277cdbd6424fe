import { applyDecorators, UseFilters, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
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

/**
 * Makes `method` of `controller` the handler of each consumer in `consumers`: for a handler
 * that reads several durables, one per filter subject (NATS 2.9 takes one filter subject per
 * consumer). Each durable gets a method of its own, `<method>:<durable>`, as if it carried
 * `@JetStreamConsumer(options)` and passed its `@Payload()` on to `method`. Call it on the
 * class before Nest scans it; `method` itself carries no decorator.
 */
export function consumeThrough(
  controller: Type,
  method: string,
  consumers: readonly ConsumerOptions[],
): void {
  const prototype = controller.prototype as Record<string, unknown>;
  const handle = prototype[method];
  if (typeof handle !== 'function')
    throw new Error(`${controller.name} has no method "${method}" to consume through`);
  for (const options of consumers) {
    const key = `${method}:${options.durable}`;
    if (key in prototype) throw new Error(`${controller.name} already has a method "${key}"`);
    const descriptor: PropertyDescriptor = {
      value: function (this: unknown, ...args: unknown[]): unknown {
        return (handle as (...a: unknown[]) => unknown).apply(this, args);
      },
      writable: true,
      configurable: true,
    };
    Object.defineProperty(prototype, key, descriptor);
    JetStreamConsumer(options)(prototype, key, descriptor);
    Payload()(prototype, key, 0);
  }
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
