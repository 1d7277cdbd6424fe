import {
  creditByWeight,
  HEURISTIC_MODELS,
  type CreditTotals,
  type HeuristicModel,
} from './heuristic-credit';
import { DAY_MS, type Journey } from './journey';
import { fitMarkov, type MarkovFit } from './markov-chain';
import { fitPresence } from './presence-model';

export type { Journey, Touch } from './journey';
export { HEURISTIC_MODELS, type HeuristicModel } from './heuristic-credit';

export const ALL_MODELS = [...HEURISTIC_MODELS, 'markov', 'presence'] as const;
export type AttributionModel = (typeof ALL_MODELS)[number];

export interface AttributeOptions {
  model: AttributionModel;
  /**
   * Touches more than this many days before the conversion (or, without one, before the
   * journey's last touch) do not count. Default 30.
   */
  lookback_days?: number;
  /** time_decay only: a touch this many days older earns half the weight. Default 7. */
  half_life_days?: number;
}

export interface ChannelCredit {
  channel: string;
  /** Conversions credited to the channel; fractional. */
  conversions: number;
  value: number;
  /** conversions / the result's conversions. */
  share: number;
}

export interface MarkovChannelCredit extends ChannelCredit {
  removal_effect: number;
}

interface Totals {
  /** Converting journeys credited: the channels' conversions sum to this. */
  conversions: number;
  value: number;
  /** Converting journeys with no touch inside the window, left out of the credit. */
  unattributed: { conversions: number; value: number };
}

export interface HeuristicAttribution extends Totals {
  model: HeuristicModel;
  channels: ChannelCredit[];
}

/** A removal-effect model: the Markov chain, or the order-free presence model. */
export interface MarkovAttribution extends Totals {
  model: 'markov' | 'presence';
  /** P(conversion) of the fitted model: the share of counted paths that converted. */
  conversion_probability: number;
  channels: MarkovChannelCredit[];
}

export type Attribution = HeuristicAttribution | MarkovAttribution;

/** Credits conversions to channels under one model; channels sorted by credit, largest first. */
export function attribute(
  journeys: readonly Journey[],
  options: AttributeOptions & { model: 'markov' | 'presence' },
): MarkovAttribution;
export function attribute(
  journeys: readonly Journey[],
  options: AttributeOptions & { model: HeuristicModel },
): HeuristicAttribution;
export function attribute(
  journeys: readonly Journey[],
  options: Omit<AttributeOptions, 'model'> & { model: string },
): Attribution;
export function attribute(
  journeys: readonly Journey[],
  options: Omit<AttributeOptions, 'model'> & { model: string },
): Attribution {
  const model = checkedModel(options.model);
  const lookbackMs = positiveDays('lookback_days', options.lookback_days ?? 30);
  const halfLifeMs = positiveDays('half_life_days', options.half_life_days ?? 7);
  if (!Array.isArray(journeys)) throw new TypeError('journeys must be an array');
  if (model === 'markov') return markovAttribution(fitMarkov(journeys, lookbackMs));
  if (model === 'presence') return markovAttribution(fitPresence(journeys, lookbackMs), 'presence');
  return heuristicAttribution(model, creditByWeight(journeys, model, lookbackMs, halfLifeMs));
}

/** Removal effects normalised to shares, which split the credited conversions and value. */
function markovAttribution(
  fit: MarkovFit,
  model: 'markov' | 'presence' = 'markov',
): MarkovAttribution {
  const effects = fit.removalEffects;
  const total = effects.reduce((sum, effect) => sum + effect, 0);
  const channels = fit.channels.map((channel, id) => {
    const share = total === 0 ? 0 : effects[id] / total;
    const [conversions, value] = [share * fit.conversions, share * fit.value];
    return { channel, conversions, value, share, removal_effect: effects[id] };
  });
  const { conversions, value, unattributed } = fit;
  const conversion_probability = fit.conversionProbability;
  const totals = { conversions, value, unattributed, conversion_probability };
  return { model, ...totals, channels: byCredit(channels) };
}

function heuristicAttribution(model: HeuristicModel, totals: CreditTotals): HeuristicAttribution {
  const { credit, conversions, value, unattributed } = totals;
  const channels = totals.channels.map((channel, id) => ({
    channel,
    conversions: credit.conversions[id],
    value: credit.value[id],
    share: credit.conversions[id] / conversions,
  }));
  return { model, conversions, value, unattributed, channels: byCredit(channels) };
}

function checkedModel(model: string): AttributionModel {
  const known: readonly string[] = ALL_MODELS;
  if (known.includes(model)) return model as AttributionModel;
  throw new RangeError(
    `model must be one of ${ALL_MODELS.join(', ')}; got ${JSON.stringify(model)}`,
  );
}

function positiveDays(name: string, days: number): number {
  if (typeof days === 'number' && Number.isFinite(days) && days > 0) return days * DAY_MS;
  throw new RangeError(`${name} must be a positive finite number of days; got ${String(days)}`);
}

function byCredit<T extends ChannelCredit>(channels: T[]): T[] {
  const byName = (a: T, b: T) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0);
  return channels.sort((a, b) => b.conversions - a.conversions || byName(a, b));
}
