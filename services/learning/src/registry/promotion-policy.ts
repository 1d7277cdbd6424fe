import type { DecisionMetrics } from '@refinery/ai';

export interface PromotionRules {
  /** How much higher the candidate's accuracy must be. */
  margin: number;
  /** The most any label's recall may fall. */
  maxRecallDrop: number;
  /** The most accuracy may fall on the reference data (the seed set's held-out split). */
  maxRegression: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
  /** The production version compared with. */
  compared_with: string;
  accuracy: { candidate: number; production: number } | null;
  /** On the reference data, when it was measured. */
  reference: { candidate: number; production: number } | null;
  /** Labels whose recall fell by more than the rules allow, with both figures. */
  recall_drops: { label: string; production: number; candidate: number }[];
  examples: number;
}

const f = (n: number) => n.toFixed(3);

/**
 * Promote only a candidate that beats production on the same Gold validation examples by the
 * margin, does not regress on the reference data (what the model handled before) and costs no
 * label more than the allowed recall, among the labels with enough examples to show such a drop.
 */
export function decidePromotion(
  candidate: DecisionMetrics | undefined,
  production: DecisionMetrics | undefined,
  productionVersion: string,
  rules: PromotionRules,
  reference: { candidate: number; production: number } | null = null,
): PromotionDecision {
  const base = { compared_with: productionVersion, recall_drops: [], reference };
  if (!candidate || !production || candidate.examples === 0) {
    return {
      ...base,
      promote: false,
      reason: 'no Gold validation examples to compare on',
      accuracy: null,
      examples: 0,
    };
  }
  const accuracy = { candidate: candidate.accuracy, production: production.accuracy };
  // A label vetoes only when one miss moves its recall by no more than the allowed drop: at 11
  // examples one miss is 0.09, noise rather than a finding (20 examples for a drop of 0.05).
  const minSupport = rules.maxRecallDrop > 0 ? Math.ceil(1 / rules.maxRecallDrop - 1e-9) : 1;
  const drops = Object.entries(candidate.recall).flatMap(([label, recall]) => {
    const before = production.recall[label];
    if (recall === null || before === null || before === undefined) return [];
    if ((candidate.support[label] ?? 0) < minSupport) return [];
    return before - recall > rules.maxRecallDrop
      ? [{ label, production: before, candidate: recall }]
      : [];
  });
  const gain = candidate.accuracy - production.accuracy;
  const on = `on ${candidate.examples} Gold validation examples`;
  if (gain < rules.margin) {
    return {
      ...base,
      promote: false,
      accuracy,
      examples: candidate.examples,
      reason: `accuracy ${f(candidate.accuracy)} does not beat ${productionVersion}'s ${f(production.accuracy)} by ${rules.margin} ${on}`,
    };
  }
  if (reference && reference.production - reference.candidate > rules.maxRegression) {
    return {
      ...base,
      promote: false,
      accuracy,
      examples: candidate.examples,
      reason: `accuracy on the reference data (the seed set's held-out split) falls from ${f(reference.production)} to ${f(reference.candidate)}, more than ${rules.maxRegression}`,
    };
  }
  if (drops.length > 0) {
    const list = drops.map((d) => `${d.label} ${f(d.production)} -> ${f(d.candidate)}`).join(', ');
    return {
      ...base,
      promote: false,
      accuracy,
      recall_drops: drops,
      examples: candidate.examples,
      reason: `recall falls by more than ${rules.maxRecallDrop}: ${list}`,
    };
  }
  return {
    ...base,
    promote: true,
    accuracy,
    examples: candidate.examples,
    reason: `accuracy ${f(candidate.accuracy)} against ${productionVersion}'s ${f(production.accuracy)} (+${f(gain)}) ${on}; no label with ${minSupport} or more examples loses more than ${rules.maxRecallDrop} recall`,
  };
}
