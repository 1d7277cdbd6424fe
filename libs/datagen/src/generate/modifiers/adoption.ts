import type { ModifierOf } from '../../schema';
import { streamOf } from '../../random';
import { UNIT_MS } from '../time';
import { type ModifierCompiler, ownColumn } from './context';

/** Bass diffusion: the share adopted by time t (in units) of a market that all adopts eventually. */
export const bassShare = (p: number, q: number, t: number): number => {
  const e = Math.exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
};

/**
 * Arrival times follow the Bass curve truncated to the horizon: u ~ U(0, F(T)), t = F⁻¹(u), so
 * adopters per period rise with imitation (q) and fall as the market saturates.
 */
export const adoption: ModifierCompiler<ModifierOf<'adoption'>> = (m, node, context) => {
  const { horizon, problems, path, seed } = context;
  const index = ownColumn(node, m.column, context, 'column');
  if (node.parent)
    problems.add(path, 'adoption shapes when root entities arrive; put it on a root node');
  if (index < 0) return {};
  const unit = UNIT_MS[m.unit];
  const periods = (horizon[1] - horizon[0]) / unit;
  const top = bassShare(m.p, m.q, periods);
  const random = streamOf(seed, node.name, `#adoption.${m.column}`);
  const counts: number[] = new Array(Math.ceil(periods)).fill(0);
  return {
    overrides: new Map([
      [
        m.column,
        () => {
          const y = random.next() * top;
          const t = -Math.log((1 - y) / (1 + (y * m.q) / m.p)) / (m.p + m.q);
          counts[Math.min(counts.length - 1, Math.floor(t))]++;
          return Math.min(horizon[1] - 1, Math.floor(horizon[0] + t * unit));
        },
      ],
    ]),
    truth: () => {
      const total = counts.reduce((a, b) => a + b, 0);
      return {
        column: `${node.name}.${m.column}`,
        p: m.p,
        q: m.q,
        unit: m.unit,
        market_size: total / top,
        adopters_per_period: counts,
        expected_per_period: counts.map(
          (_c, k) =>
            ((bassShare(m.p, m.q, Math.min(k + 1, periods)) - bassShare(m.p, m.q, k)) / top) *
            total,
        ),
      };
    },
  };
};
