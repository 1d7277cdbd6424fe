import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace';

export interface Telemetry {
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/** Probes and scrapes would otherwise produce a trace every few seconds per service. */
const UNTRACED_PATHS = /^\/(metrics|health)(\/|\?|$)/;

/**
 * Starts tracing for this process. Call it before Nest, express or pg are loaded (the
 * service's `instrument.ts`, imported first by `main.ts`), so their modules get patched.
 */
export function startTelemetry(serviceName: string): Telemetry {
  if (started) return started;

  const sdk = new NodeSDK({
    serviceName,
    // The context manager is the SDK's default, AsyncLocalStorage; naming it here would make
    // @opentelemetry/context-async-hooks a direct dependency for no change in behaviour.
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    spanProcessors: [spanProcessor()],
    // Traces only: without these the SDK would start OTLP metric and log exporters from env.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  started = { shutdown: () => (stopping ??= sdk.shutdown()) };
  return started;
}

/** Without a collector, spans are still created (log lines and traceparent need their ids) but dropped. */
function spanProcessor(): SpanProcessor {
  // The exporter reads the endpoint (and headers) from the same OTEL_* variables.
  return process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })
    : new NoopSpanProcessor();
}
