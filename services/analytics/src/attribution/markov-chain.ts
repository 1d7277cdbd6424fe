import { ChannelIndex } from './channel-index';
import { forEachWindow, type Journey } from './journey';
import { invert } from './linear-system';

export interface MarkovFit {
  channels: string[];
  /** Share of P(conversion) lost when the channel is removed, per channel. */
  removalEffects: number[];
  /** P(conversion) from the start state; equals the share of counted paths that converted. */
  conversionProbability: number;
  conversions: number;
  value: number;
  /** Converting journeys with no touch inside the window: not part of the chain. */
  unattributed: { conversions: number; value: number };
}

/**
 * First-order Markov chain over start -> channels -> conversion | null (Anderl et al. 2016),
 * counted in one pass over every journey, converted or not.
 */
export function fitMarkov(journeys: readonly Journey[], lookbackMs: number): MarkovFit {
  const index = new ChannelIndex();
  // Transient state 0 is start; channel id k is state k + 1. Each state's moves to the
  // others, and its final steps into conversion or null.
  const moves: number[][] = [[]];
  const toConversion = [0];
  const toNull = [0];
  let conversions = 0;
  let value = 0;
  const unattributed = { conversions: 0, value: 0 };
  forEachWindow(journeys, lookbackMs, (touches, start, end, journey) => {
    if (start === end) {
      if (!journey.converted) return;
      unattributed.conversions += 1;
      unattributed.value += journey.value ?? 0;
      return;
    }
    let from = 0;
    for (let i = start; i < end; i++) {
      const to = index.idOf(touches[i].channel) + 1;
      if (to === moves.length) {
        moves.push([]);
        toConversion.push(0);
        toNull.push(0);
      }
      // Back-to-back repeats are one visit: a self-loop only delays absorption, so dropping it
      // leaves every absorption probability as it was. A B A stays three visits.
      if (to === from) continue;
      moves[from][to] = (moves[from][to] ?? 0) + 1;
      from = to;
    }
    if (journey.converted) {
      toConversion[from] += 1;
      conversions += 1;
      value += journey.value ?? 0;
    } else {
      toNull[from] += 1;
    }
  });
  const solved =
    index.names.length === 0 ? { probability: 0, effects: [] } : solve(moves, toConversion, toNull);
  return {
    channels: index.names,
    removalEffects: solved.effects,
    conversionProbability: solved.probability,
    conversions,
    value,
    unattributed,
  };
}

/**
 * Removing channel c (its incoming moves sent to null) loses exactly the conversions that pass
 * through c: P(reach c) * h[c], with h the absorption probabilities into conversion and
 * P(reach c) = N[start][c] / N[c][c] for N = (I - Q)^-1. So the removal effect
 * 1 - P(conversion without c) / P(conversion) needs one inverse, not one solve per channel.
 */
function solve(
  moves: number[][],
  toConversion: number[],
  toNull: number[],
): { probability: number; effects: number[] } {
  const size = moves.length;
  const conversionStep = new Float64Array(size);
  const matrix = moves.map((row, i) => {
    let out = toConversion[i] + toNull[i];
    row.forEach((count) => (out += count));
    const line = new Float64Array(size);
    line[i] = 1;
    row.forEach((count, j) => (line[j] -= count / out));
    conversionStep[i] = toConversion[i] / out;
    return line;
  });
  const visits = invert(matrix);
  const absorbed = visits.map((row) => row.reduce((sum, n, j) => sum + n * conversionStep[j], 0));
  const probability = absorbed[0];
  const effects: number[] = [];
  for (let state = 1; state < size; state++) {
    const reach = visits[0][state] / visits[state][state];
    effects.push(probability === 0 ? 0 : (reach * absorbed[state]) / probability);
  }
  return { probability, effects };
}
