/**
 * A lexicon reading of a customer's words: positive and negative cues, negation flipping the
 * next few words ("not happy"), intensifiers counting double. Both kinds strongly present is
 * `mixed`; neither, `neutral`. Deterministic and local: no text leaves the machine.
 */
export type Sentiment = 'positive' | 'neutral' | 'negative' | 'mixed';

const POSITIVE = new Set(
  (
    'thanks thank great perfect happy glad excellent good resolved helpful quick fast appreciate ' +
    'wonderful pleased love fine sorted satisfied brilliant amazing kind'
  ).split(' '),
);
const NEGATIVE = new Set(
  (
    'late delayed delay damaged broken missing lost wrong angry upset unacceptable terrible awful ' +
    'bad refund complaint complain disappointed frustrated never worst rude cancel cancelled ' +
    'charged twice useless horrible annoyed problem issue crushed cracked'
  ).split(' '),
);
const NEGATIONS = new Set([
  'not',
  'no',
  "don't",
  "didn't",
  "isn't",
  "wasn't",
  'never',
  "haven't",
  "hasn't",
  'nothing',
]);
const INTENSIFIERS = new Set(['very', 'really', 'extremely', 'so', 'totally', 'absolutely']);

export function sentimentOf(text: string): {
  sentiment: Sentiment;
  positive: number;
  negative: number;
} {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  let positive = 0;
  let negative = 0;
  let negatedFor = 0;
  let weight = 1;
  for (const word of words) {
    if (NEGATIONS.has(word)) {
      negatedFor = 3;
      continue;
    }
    if (INTENSIFIERS.has(word)) {
      weight = 2;
      continue;
    }
    const polarity = POSITIVE.has(word) ? 1 : NEGATIVE.has(word) ? -1 : 0;
    if (polarity !== 0) {
      const signed = negatedFor > 0 ? -polarity : polarity;
      if (signed > 0) positive += weight;
      else negative += weight;
    }
    weight = 1;
    if (negatedFor > 0) negatedFor--;
  }
  const sentiment: Sentiment =
    positive === 0 && negative === 0
      ? 'neutral'
      : positive > 0 &&
          negative > 0 &&
          Math.min(positive, negative) / Math.max(positive, negative) >= 0.5
        ? 'mixed'
        : positive > negative
          ? 'positive'
          : 'negative';
  return { sentiment, positive, negative };
}
