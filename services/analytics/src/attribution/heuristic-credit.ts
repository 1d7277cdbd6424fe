import { ChannelIndex } from './channel-index';
import { forEachWindow, type Journey, type Touch } from './journey';

export const HEURISTIC_MODELS = [
  'first_touch',
  'last_touch',
  'linear',
  'time_decay',
  'position_based',
] as const;
export type HeuristicModel = (typeof HEURISTIC_MODELS)[number];

/** Raw weight of touches[i] among the counted touches [start, end); credit is weight / sum. */
type Weight = (touches: readonly Touch[], i: number, start: number, end: number) => number;

export interface CreditTotals {
  channels: string[];
  /** Credit per channel id, matching `channels`. */
  credit: { conversions: number[]; value: number[] };
  /** Converting journeys credited, and their value. */
  conversions: number;
  value: number;
  /** Converting journeys with no touch inside the window: nobody to credit. */
  unattributed: { conversions: number; value: number };
}

/**
 * Splits each converting journey's one conversion (and its value) over its counted touches,
 * summed by channel. Journeys that did not convert earn no credit.
 */
export function creditByWeight(
  journeys: readonly Journey[],
  model: HeuristicModel,
  lookbackMs: number,
  halfLifeMs: number,
): CreditTotals {
  const weight = weightOf(model, halfLifeMs);
  const index = new ChannelIndex();
  const credit = { conversions: [] as number[], value: [] as number[] };
  const totals = { conversions: 0, value: 0 };
  const unattributed = { conversions: 0, value: 0 };
  forEachWindow(journeys, lookbackMs, (touches, start, end, journey) => {
    if (!journey.converted) return;
    const worth = journey.value ?? 0;
    if (start === end) {
      unattributed.conversions += 1;
      unattributed.value += worth;
      return;
    }
    totals.conversions += 1;
    totals.value += worth;
    let sum = 0;
    for (let i = start; i < end; i++) sum += weight(touches, i, start, end);
    for (let i = start; i < end; i++) {
      const part = weight(touches, i, start, end) / sum;
      if (part === 0) continue;
      const id = index.idOf(touches[i].channel);
      credit.conversions[id] = (credit.conversions[id] ?? 0) + part;
      credit.value[id] = (credit.value[id] ?? 0) + part * worth;
    }
  });
  return { channels: index.names, credit, ...totals, unattributed };
}

function weightOf(model: HeuristicModel, halfLifeMs: number): Weight {
  switch (model) {
    case 'first_touch':
      return (_touches, i, start) => (i === start ? 1 : 0);
    case 'last_touch':
      return (_touches, i, _start, end) => (i === end - 1 ? 1 : 0);
    case 'linear':
      return () => 1;
    case 'time_decay':
      // Measured from the last counted touch, not the conversion: the ratios are the same
      // and the newest weight is 1, so a long half-life gap cannot underflow every weight to 0.
      return (touches, i, _start, end) =>
        2 ** (-(touches[end - 1].at - touches[i].at) / halfLifeMs);
    case 'position_based':
      return positionWeight;
  }
}

/** 40% first, 40% last, 20% shared by the middle; one touch takes all, two take half each. */
function positionWeight(_touches: readonly Touch[], i: number, start: number, end: number): number {
  const count = end - start;
  if (count <= 2) return 1;
  if (i === start || i === end - 1) return 0.4;
  return 0.2 / (count - 2);
}
