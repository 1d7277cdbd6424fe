import {
  DIMENSIONS,
  type Dimension,
  type RuleType,
  type Severity,
  type StoredRule,
} from './rule-definition';
import { round } from '../shared/values';

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
