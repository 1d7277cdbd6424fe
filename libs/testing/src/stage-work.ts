import type { EnrichmentInput, StageName, StageOutput, StageReports } from '@refinery/contracts';

type Outputs = { [S in StageName]?: StageOutput<S> | null };

/**
 * A record as a stage sees it, for unit tests of a stage's decisions: an exception, with each
 * given earlier stage COMPLETED with its output, or SKIPPED where the output is null.
 */
export function stageWork(outputs: Outputs = {}, payload: Record<string, unknown> = {}) {
  const stages: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(outputs)) {
    stages[name] = {
      status: output ? 'COMPLETED' : 'SKIPPED',
      output,
      skip_reason: output ? null : 'skipped in the test',
      retry_count: 0,
      errors: [],
      provider: 'test',
      model_version: 'test:1',
      first_attempt_at: null,
      finished_at: '2026-01-01T00:00:00.000Z',
      duration_ms: 1,
    };
  }
  const input = {
    record_type: 'exception',
    source: 'test',
    external_id: 'ext-1',
    received_at: '2026-01-01T00:00:00.000Z',
    payload: { order_number: 'A-100', description: 'The parcel never arrived.', ...payload },
  } as EnrichmentInput;
  return { recordId: 'rec-1', tenant: 'acme', input, stages: stages as StageReports };
}
