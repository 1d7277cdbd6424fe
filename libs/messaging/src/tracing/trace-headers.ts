import { propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';

const getter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  // Header names are case-insensitive; a producer may well send `Traceparent`.
  get: (carrier, key) => {
    if (key in carrier) return carrier[key];
    const match = Object.keys(carrier).find((k) => k.toLowerCase() === key.toLowerCase());
    return match === undefined ? undefined : carrier[match];
  },
};

/** W3C `traceparent` (and whatever else the global propagator carries), to copy into message headers. */
export function traceHeadersOf(context: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  return carrier;
}

/** The producer's context from message headers; the root context when there is none. */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
