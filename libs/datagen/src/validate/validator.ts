import type { CompiledColumn, CompiledNode, RowContext } from '../generate/model';
import type { Plan } from '../generate/plan';
import type { RowListener } from '../generate/engine';
import { FingerprintSet } from './fingerprints';

type Check = (value: unknown) => string | undefined;

interface NodeReport {
  rows: number;
  checks: number;
  violations: Record<string, number>;
  /** The first few, for a person to look at. */
  examples: string[];
}

export interface QualityReport {
  /** Share of checks passed, 0-100. */
  score: number;
  checks: number;
  violations: number;
  nodes: Record<string, NodeReport>;
}

const MAX_EXAMPLES = 5;

/**
 * Checks every row as it is made: primary keys unique, foreign keys pointing at an existing
 * row, values of the declared type, inside their bounds and categories, not null unless they
 * may be. The score is the share of those checks that passed.
 */
export class Validator implements RowListener {
  private readonly keys = new Map<CompiledNode, FingerprintSet>();
  private readonly checks = new Map<CompiledNode, Array<[CompiledColumn, Check[]]>>();
  private readonly reports = new Map<CompiledNode, NodeReport>();

  constructor(plan: Plan) {
    const byName = new Map(plan.nodes.map((node) => [node.name, node]));
    for (const node of plan.nodes) {
      if (node.primaryKey) this.keys.set(node, new FingerprintSet());
      this.reports.set(node, { rows: 0, checks: 0, violations: {}, examples: [] });
      this.checks.set(
        node,
        node.columns.map((column) => [column, checksOf(column, node, plan, byName, this.keys)]),
      );
    }
  }

  onKey(row: RowContext): void {
    const key = row.node.primaryKey;
    if (!key) return;
    const report = this.reports.get(row.node) as NodeReport;
    report.checks++;
    const value = row.values[key.index];
    if (!(this.keys.get(row.node) as FingerprintSet).add(value)) {
      this.violation(
        report,
        'duplicate_key',
        `${row.node.name}.${key.name} = ${String(value)} repeats`,
      );
    }
  }

  onRow(row: RowContext): void {
    const report = this.reports.get(row.node) as NodeReport;
    report.rows++;
    for (const [column, checks] of this.checks.get(row.node) as Array<[CompiledColumn, Check[]]>) {
      const value = row.values[column.index];
      for (const check of checks) {
        report.checks++;
        const problem = check(value);
        if (problem)
          this.violation(
            report,
            problem,
            `row ${row.index}: ${column.name} = ${JSON.stringify(value)} (${problem})`,
          );
      }
    }
  }

  report(): QualityReport {
    let checks = 0;
    let violations = 0;
    for (const report of this.reports.values()) {
      checks += report.checks;
      violations += Object.values(report.violations).reduce((a, b) => a + b, 0);
    }
    return {
      score: checks === 0 ? 100 : Math.floor(((checks - violations) / checks) * 1e4) / 100,
      checks,
      violations,
      nodes: Object.fromEntries([...this.reports].map(([node, report]) => [node.name, report])),
    };
  }

  private violation(report: NodeReport, kind: string, example: string): void {
    report.violations[kind] = (report.violations[kind] ?? 0) + 1;
    if (report.examples.length < MAX_EXAMPLES) report.examples.push(example);
  }
}

function checksOf(
  column: CompiledColumn,
  node: CompiledNode,
  plan: Plan,
  nodes: Map<string, CompiledNode>,
  keys: Map<CompiledNode, FingerprintSet>,
): Check[] {
  const { spec } = column;
  const overridden = node.hooks.some((hooks) => hooks.overrides?.has(column.name));
  const mayBeNull =
    overridden ||
    spec.null_rate !== undefined ||
    spec.gen === 'derived' ||
    spec.gen === 'modifier' ||
    (spec.gen === 'date' && spec.after !== undefined);
  const checks: Check[] = [];
  const type = column.output.type;
  checks.push((v) => {
    if (v === null || v === undefined) return mayBeNull ? undefined : 'null';
    return typeProblem(type, v);
  });
  if (spec.gen === 'categorical' && !overridden && !spec.modifiers?.length) {
    const allowed = new Set<unknown>(spec.values);
    checks.push((v) => (v === null || allowed.has(v) ? undefined : 'not_a_category'));
  }
  const clamp = (spec as { clamp?: [number, number] }).clamp;
  if (clamp)
    checks.push((v) =>
      v === null || (Number(v) >= clamp[0] && Number(v) <= clamp[1]) ? undefined : 'out_of_bounds',
    );
  if (
    spec.gen === 'date' &&
    spec.after === undefined &&
    spec.start === undefined &&
    spec.end === undefined
  ) {
    const [start, end] = plan.horizon;
    checks.push((v) =>
      v === null || (Number(v) >= start && Number(v) < end) ? undefined : 'outside_horizon',
    );
  }
  if (spec.gen === 'ref') {
    const target = nodes.get(spec.node) as CompiledNode;
    const set = keys.get(target);
    if (set) checks.push((v) => (v === null || set.has(v) ? undefined : 'dangling_reference'));
  }
  return checks;
}

function typeProblem(type: string, v: unknown): string | undefined {
  switch (type) {
    case 'integer':
      return Number.isSafeInteger(v) ? undefined : 'not_an_integer';
    case 'number':
    case 'timestamp':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'not_a_number';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'not_a_boolean';
    case 'string':
      return typeof v === 'string' ? undefined : 'not_a_string';
    default:
      return undefined;
  }
}
