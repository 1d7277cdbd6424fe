import { ChannelIndex } from './channel-index';
import { forEachWindow, type Journey } from './journey';
import { invert } from './linear-system';
import type { MarkovFit } from './markov-chain';

/**
 * An order-free data-driven model: the chance a journey converts as a linear function of which
 * channels it touched (least squares on the counted paths, an intercept for the base rate):
 * p(S) = b0 + Σ_{c in S} b_c. A channel's removal effect is what removing it takes from the
 * predicted conversions, Σ over journeys touching c of b_c (negative estimates count as 0),
 * the same removal effect as the Markov model's but over a model of presence rather than of
 * transitions. Where conversion depends on which channels a journey saw and not on their order
 * (as in datagen's attribution process), this recovers the planted removal effects; a
 * first-order chain credits how often a channel sits on converting paths instead.
 */
export function fitPresence(journeys: readonly Journey[], lookbackMs: number): MarkovFit {
  const index = new ChannelIndex();
  const rows: { channels: Set<number>; converted: boolean }[] = [];
  let conversions = 0;
  let value = 0;
  const unattributed = { conversions: 0, value: 0 };
  forEachWindow(journeys, lookbackMs, (touches, start, end, journey) => {
    if (end === start) {
      if (journey.converted) {
        unattributed.conversions++;
        unattributed.value += journey.value ?? 0;
      }
      return;
    }
    const channels = new Set<number>();
    for (let t = start; t < end; t++) channels.add(index.idOf(touches[t].channel));
    rows.push({ channels, converted: journey.converted });
    if (journey.converted) {
      conversions++;
      value += journey.value ?? 0;
    }
  });
  const k = index.names.length;
  // Normal equations over [1, x_1..x_k]: X'X b = X'y.
  const xtx = Array.from({ length: k + 1 }, () => new Float64Array(k + 1));
  const xty = new Float64Array(k + 1);
  const present = new Float64Array(k);
  for (const row of rows) {
    const ids = [0, ...[...row.channels].map((c) => c + 1)];
    for (const a of ids) {
      for (const b of ids) xtx[a][b]++;
      if (row.converted) xty[a]++;
    }
    for (const c of row.channels) present[c]++;
  }
  let coefficients = new Float64Array(k + 1);
  if (rows.length > k) {
    try {
      const inverse = invert(xtx);
      coefficients = Float64Array.from(
        inverse.map((r) => r.reduce((s, v, j) => s + v * xty[j], 0)),
      );
    } catch {
      // A channel on every path (or none) cannot be told apart from the base rate.
    }
  }
  let removalEffects = Array.from({ length: k }, (_, c) =>
    rows.length ? (Math.max(0, coefficients[c + 1]) * present[c]) / rows.length : 0,
  );
  // Too few paths to estimate (or no channel that helps): credit follows presence on
  // converting paths, so the conversions are still all credited.
  if (conversions > 0 && removalEffects.every((e) => e === 0)) {
    const onConverting = new Array<number>(k).fill(0);
    for (const row of rows) if (row.converted) for (const c of row.channels) onConverting[c]++;
    removalEffects = onConverting.map((n) => n / conversions);
  }
  return {
    channels: index.names,
    removalEffects,
    conversionProbability: rows.length ? conversions / rows.length : 0,
    conversions,
    value,
    unattributed,
  };
}
