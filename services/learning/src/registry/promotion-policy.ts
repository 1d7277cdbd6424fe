import type { DecisionMetrics } from '@refinery/ai';

export interface PromotionRules {
  /** How much higher the candidate's accuracy must be. */
  margin: number;
  /** The most any label's recall may fall. */
  maxRecallDrop: number;
  /** Labels with fewer true validation examples than this are too few to veto on. */
  minSupport: number;
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
 * label more than the allowed recall. A label with fewer than `minSupport`
 * examples cannot veto: at 8 examples one miss moves its recall by 0.125, noise, not a finding.
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
  const drops = Object.entries(candidate.recall).flatMap(([label, recall]) => {
    const before = production.recall[label];
    if (recall === null || before === null || before === undefined) return [];
    if ((candidate.support[label] ?? 0) < rules.minSupport) return [];
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
    reason: `accuracy ${f(candidate.accuracy)} against ${productionVersion}'s ${f(production.accuracy)} (+${f(gain)}) ${on}; no label with ${rules.minSupport} or more examples loses more than ${rules.maxRecallDrop} recall`,
  };
}
