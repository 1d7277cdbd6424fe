import type { ModifierOf } from '../../schema';
import { curveAt } from '../curves';
import { UNIT_MS } from '../time';
import { type ModifierCompiler, share } from './context';

/**
 * Rows come period by period of the parent's life: at age k (whole periods since the parent's
 * active_from) the count is the fanout draw times fanout_curve(k), and the listed columns are
 * multiplied by value_curve(k). Parents who arrived early live more periods, so they have more rows.
 */
export const vintageBehavior: ModifierCompiler<ModifierOf<'vintage_behavior'>> = (
  m,
  node,
  context,
) => {
  const { problems, path } = context;
  if (!node.parent || !node.fanout) {
    problems.add(path, 'vintage_behavior needs a node with fanout from a parent');
    return {};
  }
  if (node.parent.activeFrom < 0) {
    problems.add(
      path,
      `the parent ${node.parent.name} needs active_from: vintage counts age from it`,
    );
  }
  for (const name of m.applies_to_columns) {
    if (!node.columnIndex.has(name))
      problems.add(`${path}.applies_to_columns`, `${node.name} has no column ${name}`);
  }
  node.vintage = { periodMs: UNIT_MS[m.period], fanoutCurve: m.fanout_curve };
  const applied = new Set(m.applies_to_columns);
  const byAge: { parents: number; rows: number }[] = [];
  return {
    valueMultiplier: (name) =>
      applied.has(name) && m.value_curve ? (row) => curveAt(m.value_curve, row.age) : undefined,
    onFanout: (_parent, age, count) => {
      const a = (byAge[age] ??= { parents: 0, rows: 0 });
      a.parents++;
      a.rows += count;
    },
    truth: () => ({
      period: m.period,
      fanout_curve: m.fanout_curve ?? null,
      value_curve: m.value_curve ?? null,
      by_age: byAge.map((a, age) => ({
        age,
        parents: a.parents,
        rows: a.rows,
        rows_per_parent: share(a.rows, a.parents),
        planted_multiplier: curveAt(m.fanout_curve, age),
      })),
    }),
  };
};
