import type { RuleResult } from '../rules/rule-result';
import { round } from '../shared/values';

/** A run of rules, in the Great Expectations checkpoint shape. */
export interface RunReport {
  id: string;
  trigger: 'schedule' | 'api';
  started_at: string;
  finished_at: string;
  success: boolean;
  statistics: {
    evaluated: number;
    successful: number;
    unsuccessful: number;
    success_percent: number | null;
  };
  results: RuleResult[];
}

export function statisticsOf(results: RuleResult[]): RunReport['statistics'] {
  const successful = results.filter((r) => r.success).length;
  return {
    evaluated: results.length,
    successful,
    unsuccessful: results.length - successful,
    success_percent: results.length === 0 ? null : round((100 * successful) / results.length, 2),
  };
}
