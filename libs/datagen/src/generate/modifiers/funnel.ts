import type { ModifierOf } from '../../schema';
import { samplerOf, streamOf } from '../../random';
import { type ModifierCompiler, ownColumn, share } from './context';

const HOUR = 3_600_000;

/**
 * Each unit of fanout enters the funnel at a uniform time in its slot and moves on step by step
 * with each step's probability, after the step's delay; one row per step reached.
 */
export const funnel: ModifierCompiler<ModifierOf<'funnel'>> = (m, node, context) => {
  const { problems, path, seed } = context;
  const stepIndex = ownColumn(node, m.step_column, context, 'step_column');
  const timeIndex = ownColumn(node, m.time_column, context, 'time_column');
  if (!node.fanout) problems.add(path, 'a funnel needs fanout: each unit of it is one entry');
  m.steps.slice(1).forEach((step, i) => {
    if (step.p === undefined)
      problems.add(`${path}.steps[${i + 1}].p`, 'every step after the first needs p');
  });
  if (stepIndex < 0 || timeIndex < 0) return {};
  const random = streamOf(seed, node.name, '#funnel');
  const delays = m.steps.map((step) => (step.delay_hours ? samplerOf(step.delay_hours) : () => 0));
  const reached = new Array<number>(m.steps.length).fill(0);
  const hours: number[][] = m.steps.map(() => []);
  return {
    expand: (unit) => {
      const [start, end] = unit.slot;
      let at = Math.floor(start + random.next() * Math.max(0, end - start));
      const entered = at;
      const rows = [
        new Map<number, unknown>([
          [stepIndex, m.steps[0].name],
          [timeIndex, at],
        ]),
      ];
      reached[0]++;
      for (let k = 1; k < m.steps.length; k++) {
        if (random.next() >= (m.steps[k].p as number)) break;
        at += Math.round(Math.max(0, delays[k](random)) * HOUR);
        rows.push(
          new Map<number, unknown>([
            [stepIndex, m.steps[k].name],
            [timeIndex, at],
          ]),
        );
        reached[k]++;
        // Kept for the median time to convert; bounded by the run's entries.
        if (hours[k].length < 1_000_000) hours[k].push((at - entered) / HOUR);
      }
      return rows;
    },
    truth: () => ({
      node: node.name,
      steps: m.steps.map((step, k) => ({
        name: step.name,
        planted_p: k === 0 ? 1 : step.p,
        reached: reached[k],
        conversion_from_previous: k === 0 ? 1 : share(reached[k], reached[k - 1]),
        conversion_from_entry: share(reached[k], reached[0]),
        median_hours_from_entry: k === 0 ? 0 : median(hours[k]),
      })),
    }),
  };
};

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
