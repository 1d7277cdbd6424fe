import type { ModifierOf } from '../../schema';
import { streamOf } from '../../random';
import { readerOf } from '../read';
import { UNIT_MS } from '../time';
import { type ModifierCompiler, ownColumn, share } from './context';

type Cohort = { atRisk: number[]; survived: number[] };

/**
 * A chain of states stepped once per period from the entity's start; reaching the absorbing
 * state sets the churn column (at a uniform moment within that period) and ends the entity's
 * active window, so no later rows are made for it. `hazard: h` is the chain active -> churned.
 */
export const churn: ModifierCompiler<ModifierOf<'churn'>> = (m, node, context) => {
  const { horizon, problems, path, seed, nodes } = context;
  const index = ownColumn(node, m.column, context, 'column');
  const stateIndex =
    m.state_column === undefined ? -1 : ownColumn(node, m.state_column, context, 'state_column');
  const states =
    m.states ?? (m.hazard !== undefined ? { active: { [m.absorbing]: m.hazard } } : undefined);
  if (!states) {
    problems.add(path, 'churn needs `hazard` or `states`');
    return {};
  }
  const initial = m.initial ?? Object.keys(states)[0];
  for (const [from, to] of Object.entries(states)) {
    const total = Object.values(to).reduce((a, b) => a + b, 0);
    if (total > 1 + 1e-9)
      problems.add(
        `${path}.states.${from}`,
        `transition probabilities sum to ${total}, more than 1`,
      );
    for (const target of Object.keys(to)) {
      if (target !== m.absorbing && !(target in states)) {
        problems.add(
          `${path}.states.${from}.${target}`,
          `no state ${target} (nor is it the absorbing ${m.absorbing})`,
        );
      }
    }
  }
  if (index < 0 || !node.columnIndex.has(m.start_column)) {
    if (!node.columnIndex.has(m.start_column))
      problems.add(`${path}.start_column`, `${node.name} has no column ${m.start_column}`);
    return {};
  }
  if ((node.columnIndex.get(m.start_column) ?? 0) > index) {
    problems.add(`${path}.column`, `declare ${m.start_column} before ${m.column}`);
  }
  node.activeUntil = index;
  const start = readerOf(node, m.start_column, nodes);
  const period = UNIT_MS[m.period];
  const random = streamOf(seed, node.name, `#churn.${m.column}`);
  const chain = Object.fromEntries(
    Object.entries(states).map(([s, to]) => [s, Object.entries(to)]),
  );
  const cohorts: Cohort[] = [];
  let lastState = initial;

  const step = (state: string): string => {
    let u = random.next();
    for (const [target, p] of chain[state] ?? []) {
      if (u < p) return target;
      u -= p;
    }
    return state;
  };
  const churnedAt = (row: { values: unknown[] }): number | null => {
    const from = Number(start(row as never));
    let state = initial;
    for (let k = 0; from + k * period < horizon[1]; k++) {
      state = step(state);
      if (state === m.absorbing) {
        lastState = state;
        const at = Math.floor(from + (k + random.next()) * period);
        return at < horizon[1] ? at : null;
      }
    }
    lastState = state;
    return null;
  };
  const overrides = new Map([[m.column, churnedAt as never]]);
  if (m.state_column) overrides.set(m.state_column, (() => lastState) as never);
  if (stateIndex >= 0 && stateIndex < index)
    problems.add(`${path}.state_column`, `declare ${m.state_column} after ${m.column}`);

  return {
    overrides,
    observe: (row) => {
      const from = Number(row.values[node.columnIndex.get(m.start_column) as number]);
      const churned = row.values[index] as number | null;
      const c = (cohorts[Math.floor((from - horizon[0]) / period)] ??= {
        atRisk: [],
        survived: [],
      });
      for (let k = 0; from + k * period <= horizon[1]; k++) {
        c.atRisk[k] = (c.atRisk[k] ?? 0) + 1;
        if (churned === null || churned >= from + k * period)
          c.survived[k] = (c.survived[k] ?? 0) + 1;
      }
    },
    truth: () => ({
      column: `${node.name}.${m.column}`,
      period: m.period,
      states,
      initial,
      absorbing: m.absorbing,
      planted_survival:
        m.hazard === undefined
          ? null
          : cohorts[0]?.atRisk.map((_n, k) => (1 - (m.hazard as number)) ** k),
      survival_by_cohort: cohorts.map((c, cohort) => ({
        cohort,
        entities: c.atRisk[0] ?? 0,
        survival: c.atRisk.map((n, k) => share(c.survived[k] ?? 0, n)),
      })),
    }),
  };
};
