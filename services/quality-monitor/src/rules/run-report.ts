import type { Dimension, RuleType, Severity, StoredRule } from './rule-definition';
import { DIMENSIONS } from './rule-definition';

/** Capped lists: enough to find and fix the rows, not a copy of the table. */
export const PARTIAL_LIST_SIZE = 20;
export const UNEXPECTED_IDS_SIZE = 100;

/** What a rule found, in the Great Expectations result shape. */
export interface RuleOutcome {
  /** Rows looked at; null for a custom_sql rule that names no table. */
  element_count: number | null;
  missing_count: number | null;
  unexpected_count: number;
  /** Share of the rows judged (non-null ones, except for not_null); null when unknown. */
  unexpected_percent: number | null;
  partial_unexpected_list: unknown[];
  unexpected_ids: string[];
}

export interface RuleResult {
  success: boolean;
  rule: {
    id: string;
    name: string;
    type: RuleType;
    severity: Severity;
    dimension: Dimension;
    table: string | null;
    column: string | null;
  };
  result: RuleOutcome | null;
  exception_info?: { raised_exception: true; exception_message: string };
}

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

export const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

/** The rows a rule judged: what its data score is a share of. */
export function judgedRows(type: RuleType, outcome: RuleOutcome | null): number | null {
  if (!outcome || outcome.element_count === null) return null;
  if (type === 'not_null' || type === 'custom_sql') return outcome.element_count;
  return outcome.element_count - (outcome.missing_count ?? 0);
}

export function outcomeOf(
  type: RuleType,
  counts: { element_count: number | null; missing_count: number | null; unexpected_count: number },
  failing: { id: string | null; value: unknown }[],
): RuleOutcome {
  const partial = { ...counts, unexpected_percent: null } as RuleOutcome;
  const judged = judgedRows(type, partial);
  return {
    ...counts,
    unexpected_percent:
      judged === null ? null : judged === 0 ? 0 : round((100 * counts.unexpected_count) / judged),
    partial_unexpected_list: failing.slice(0, PARTIAL_LIST_SIZE).map((f) => f.value),
    unexpected_ids: failing.flatMap((f) => (f.id === null ? [] : [f.id])),
  };
}

export function summaryOf(rule: StoredRule): RuleResult['rule'] {
  return {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    severity: rule.severity,
    dimension: DIMENSIONS[rule.type],
    table: rule.table ?? null,
    column: rule.type === 'custom_sql' ? null : rule.column,
  };
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
