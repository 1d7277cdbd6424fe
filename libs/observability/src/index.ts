export * from './health/health-registry';
export type { LiveResponse, ReadyResponse } from './health/health.controller';
export { JsonLogger, LOG_LEVEL_NAMES, parseLogLevel } from './logging/json-logger';
export type { JsonLoggerOptions, LogLevelName } from './logging/json-logger';
export { httpRequestDuration, initMetrics } from './metrics/init-metrics';
export { ObservabilityModule } from './observability.module';
export type { ObservabilityOptions } from './observability.module';
export { startTelemetry } from './telemetry/start-telemetry';
export type { Telemetry } from './telemetry/start-telemetry';
