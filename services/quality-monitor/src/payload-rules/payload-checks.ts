import { PARTIAL_LIST_SIZE } from '../rules/rule-result';
import type { Rule } from '../rules/rule-definition';

type RowRule = Extract<Rule, { type: 'not_null' | 'range' | 'regex' | 'accepted_values' }>;

const isContainer = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null;

/** Every value at a field path: `customer.email`, `items[].sku` (each item), `items.0.sku`. */
export function valuesAt(payload: unknown, path: string): unknown[] {
  let values: unknown[] = [payload];
  for (const segment of path.split('.')) {
    const each = segment.endsWith('[]');
    const key = each ? segment.slice(0, -2) : segment;
    values = values.flatMap((v) => {
      const next = isContainer(v) ? v[key] : undefined;
      if (!each) return [next];
      return Array.isArray(next) ? next : [undefined];
    });
  }
  return values;
}

const present = (v: unknown) => v !== undefined && v !== null;

function outOfRange(value: unknown, min: unknown, max: unknown): boolean {
  // Numbers against numbers, strings (ISO dates) against strings; anything else fails.
  const comparable = (bound: unknown) => bound === undefined || typeof bound === typeof value;
  if (!comparable(min) || !comparable(max)) return true;
  const v = value as number | string;
  return (
    (min !== undefined && v < (min as typeof v)) || (max !== undefined && v > (max as typeof v))
  );
}

/** The values of one record's payload that break a row-level rule; none when it passes. */
export function failingValues(rule: Rule, payload: unknown): unknown[] {
  const r = rule as RowRule;
  const values = valuesAt(payload, r.column);
  let failing: unknown[];
  switch (r.type) {
    case 'not_null':
      failing = values.filter((v) => !present(v)).map(() => null);
      break;
    case 'range':
      failing = values.filter((v) => present(v) && outOfRange(v, r.min, r.max));
      break;
    case 'regex': {
      const pattern = new RegExp(r.pattern);
      failing = values.filter(
        (v) => present(v) && !pattern.test(typeof v === 'string' ? v : JSON.stringify(v)),
      );
      break;
    }
    case 'accepted_values':
      failing = values.filter((v) => present(v) && !r.values.some((a) => a === v));
      break;
    default:
      failing = [];
  }
  return failing.slice(0, PARTIAL_LIST_SIZE);
}
