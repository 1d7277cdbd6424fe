import type { Action } from '@refinery/contracts';
import type { Contribution } from '../provider';
import type { SparseVector } from './feature-space';
import type { LinearModel } from './linear-model';

// Module-level aliases: global lookups are slow inside vm sandboxes such as jest's.
const { abs, round } = Math;

/**
 * Each feature's push on one output's calibrated logit: weight x value / temperature,
 * strongest (by magnitude) first. Softmax weights trained from zero with L2 sum to zero
 * over the classes, so a positive entry favours this class over the average alternative.
 */
export function explain(
  model: LinearModel,
  x: SparseVector,
  output: number,
  limit = 5,
): Contribution[] {
  if (limit <= 0) return [];
  const row = output * model.dims;
  const temperature = model.temperatures[model.link === 'softmax' ? 0 : output];
  const contributions: Contribution[] = [];
  for (let i = 0; i < x.indices.length; i++) {
    const weight = (model.weights[row + x.indices[i]] * x.values[i]) / temperature;
    if (weight !== 0) contributions.push({ feature: x.names[i], weight });
  }
  contributions.sort((a, b) => abs(b.weight) - abs(a.weight) || (a.feature < b.feature ? -1 : 1));
  return contributions.slice(0, limit);
}

const PLAIN_WORDS: Record<string, string> = {
  'record=order': 'the record being an order',
  'record=exception': 'the record being a delivery exception',
  late: 'lateness against the promised date',
  'late>7d': 'more than a week of delay',
  'late>=12d': '12 or more days of delay',
  days_late: 'the days of delay',
  days_late_unknown: 'no promised date to compare with',
  total_over_items: 'a total above the items and shipping',
  total_under_items: 'a total below the items and shipping',
  total_vs_items: 'the gap between total and items',
  bulk_quantity: 'a bulk quantity',
  address_no_house_number: 'no house number in the address',
  address_no_postcode: 'no postcode in the address',
  has_tracking_number: 'a tracking number',
  has_carrier: 'a named carrier',
  no_text: 'no free text',
};

/** A feature name in words, for rationales people read. */
export function describeFeature(name: string): string {
  // Crosses with the label read as the feature alone: the label is already the context.
  const cross = name.indexOf(' & ');
  if (cross >= 0) return describeFeature(name.slice(cross + 3));
  if (PLAIN_WORDS[name]) return PLAIN_WORDS[name];
  if (name.startsWith('token:')) return `"${name.slice(6)}" in the text`;
  if (name.startsWith('value')) return `an order value of ${name.slice(5).replace('=', '')} EUR`;
  const [key, value] = name.split('=');
  switch (key) {
    case 'label':
      return `label ${value}`;
    case 'problem':
      return `problem ${value}`;
    case 'action':
      return `action ${value}`;
    case 'status':
      return `status ${value}`;
    case 'reported_by':
      return `a report by the ${value}`;
    case 'reported_kind':
      return `a report of kind "${value}"`;
  }
  return name.replace(/_/g, ' ');
}

/** One sentence naming what weighed most for the action. */
export function rationaleFor(
  action: Action,
  confidence: number,
  contributions: Contribution[],
): string {
  const reasons = [
    ...new Set(contributions.filter((c) => c.weight > 0).map((c) => describeFeature(c.feature))),
  ].slice(0, 3);
  const pct = round(confidence * 100);
  if (reasons.length === 0) return `${action} (${pct}% confident); no single signal stood out.`;
  const list =
    reasons.length === 1 ? reasons[0] : `${reasons.slice(0, -1).join(', ')} and ${reasons.at(-1)}`;
  return `${action} (${pct}% confident), mainly because of ${list}.`;
}
