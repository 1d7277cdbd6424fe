import { propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

const getter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  // Header names are case-insensitive; a producer may well send `Traceparent`.
  get: (carrier, key) => {
    if (key in carrier) return carrier[key];
    const match = Object.keys(carrier).find((k) => k.toLowerCase() === key.toLowerCase());
    return match === undefined ? undefined : carrier[match];
  },
};

/** Writes W3C `traceparent` (and whatever else the global propagator carries) into the headers. */
export function injectTraceContext(context: Context, headers: MsgHdrs): void {
  propagation.inject(context, headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** The producer's context from message headers; the root context when there is none. */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
