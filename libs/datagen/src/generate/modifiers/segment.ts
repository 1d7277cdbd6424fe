import type { ModifierOf } from '../../schema';
import type { RowContext } from '../model';
import { ownerOf, readerOf } from '../read';
import { type ModifierCompiler, share } from './context';

type Totals = { parents: number; rows: number; sums: number[] };

/** Per-segment multipliers of fanout (children per parent) and of chosen columns' values. */
export const segmentBehavior: ModifierCompiler<ModifierOf<'segment_behavior'>> = (
  m,
  node,
  context,
) => {
  const { problems, path, nodes } = context;
  const [owner, column] = ownerOf(node, m.segment_column);
  const ownerNode = nodes.get(owner);
  const spec = ownerNode?.spec.columns[column];
  if (!spec) {
    problems.add(
      `${path}.segment_column`,
      `neither ${node.name} nor an ancestor has a column ${column}`,
    );
    return {};
  }
  if (spec.gen === 'categorical') {
    for (const segment of Object.keys(m.behaviors)) {
      if (!spec.values.includes(segment)) {
        problems.add(
          `${path}.behaviors.${segment}`,
          `${segment} is not a value of ${owner}.${column} (${spec.values.join(', ')})`,
        );
      }
    }
  }
  for (const name of m.applies_to_columns) {
    if (!node.columnIndex.has(name))
      problems.add(`${path}.applies_to_columns`, `${node.name} has no column ${name}`);
  }
  const fanoutUsed = Object.values(m.behaviors).some((b) => b.fanout_multiplier !== undefined);
  if (fanoutUsed && owner === node.name) {
    problems.add(
      `${path}.segment_column`,
      'fanout_multiplier needs the segment of an ancestor row',
    );
    return {};
  }
  const qualified = `${owner}.${column}`;
  const own = readerOf(node, qualified, nodes);
  const ofParent =
    owner === node.name || !node.parent ? undefined : readerOf(node.parent, qualified, nodes);
  const fanout = (s: unknown) => m.behaviors[String(s)]?.fanout_multiplier ?? 1;
  const value = (s: unknown) => m.behaviors[String(s)]?.value_multiplier ?? 1;
  const applied = new Set(m.applies_to_columns);
  const applies = m.applies_to_columns.map((name) => node.columnIndex.get(name) ?? -1);

  const totals = new Map<string, Totals>();
  const of = (segment: unknown) => {
    const key = String(segment);
    let t = totals.get(key);
    if (!t) totals.set(key, (t = { parents: 0, rows: 0, sums: applies.map(() => 0) }));
    return t;
  };
  let lastParent: RowContext | undefined;
  return {
    fanoutMultiplier: ofParent && ((parent) => fanout(ofParent(parent))),
    onFanout:
      ofParent &&
      ((parent) => {
        if (parent === lastParent) return;
        lastParent = parent;
        of(ofParent(parent)).parents++;
      }),
    valueMultiplier: (name) => (applied.has(name) ? (row) => value(own(row)) : undefined),
    observe: (row) => {
      const t = of(own(row));
      t.rows++;
      applies.forEach((index, i) => (t.sums[i] += Number(row.values[index] ?? 0)));
    },
    truth: () => ({
      segment_column: qualified,
      behaviors: m.behaviors,
      applies_to_columns: m.applies_to_columns,
      observed: Object.fromEntries(
        [...totals.entries()].sort().map(([segment, t]) => [
          segment,
          {
            rows: t.rows,
            ...(ofParent ? { parents: t.parents, rows_per_parent: share(t.rows, t.parents) } : {}),
            mean: Object.fromEntries(
              m.applies_to_columns.map((c, i) => [c, share(t.sums[i], t.rows)]),
            ),
          },
        ]),
      ),
    }),
  };
};
