// Imported first by main.ts: tracing must patch http and pg before anything loads them.
import { startTelemetry } from '@refinery/observability';

startTelemetry('analytics');
