import {
  AiProviderError,
  type AiLabel,
  type AiProvider,
  type AnalysisResult,
  type ClassificationResult,
  type Contribution,
  type DetectedProblem,
  type ProblemCode,
  type RecordInput,
  type ResolutionResult,
} from '../provider';
import { fireRules } from './problem-rules';
import { AUTOMATE_MIN_CONFIDENCE, RESOLUTION_TABLE } from './resolution-table';

/** With few rules, silence is weak evidence that nothing is wrong. */
const NONE_CONFIDENCE = 0.5;

const LABEL_OF: Readonly<Record<ProblemCode, AiLabel>> = {
  LATE_SHIPMENT: 'DELIVERY_DELAY',
  ADDRESS_INVALID: 'ADDRESS_ISSUE',
  PAYMENT_MISMATCH: 'PAYMENT_ISSUE',
  STOCKOUT_RISK: 'INVENTORY_SHORTAGE',
  DAMAGE_REPORTED: 'DAMAGED_ITEM',
  MISSING_ITEM: 'MISSING_ITEM',
  CUSTOMER_REQUEST: 'CUSTOMER_REQUEST',
  NONE: 'OTHER',
};

const round = (n: number) => Math.round(n * 1000) / 1000;

export interface RulesProviderOptions {
  /** The clock `promised_at` is compared with. */
  now?: () => Date;
}

/**
 * A transparent baseline: keyword and field rules with fixed confidences, a label per problem
 * code and an action per label. Every answer names the rules behind it.
 */
export class RulesProvider implements AiProvider {
  readonly name = 'rules';
  readonly deterministic = true;
  readonly version = 'rules-1';
  private readonly now: () => Date;

  constructor(options: RulesProviderOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async analyze(record: RecordInput): Promise<AnalysisResult> {
    const strongest = new Map<ProblemCode, number>();
    for (const rule of fireRules(record, this.now())) {
      strongest.set(rule.code, Math.max(strongest.get(rule.code) ?? 0, rule.confidence));
    }
    if (strongest.size === 0) return { problems: [{ code: 'NONE', confidence: NONE_CONFIDENCE }] };
    const problems: DetectedProblem[] = [...strongest].map(([code, confidence]) => ({
      code,
      confidence,
    }));
    return { problems: problems.sort((a, b) => b.confidence - a.confidence) };
  }

  async classify(record: RecordInput, analysis: AnalysisResult): Promise<ClassificationResult> {
    const top = analysis.problems.reduce<DetectedProblem | undefined>(
      (best, p) => (best && best.confidence >= p.confidence ? best : p),
      undefined,
    );
    if (!top) throw new AiProviderError('classification: the analysis has no problems', this.name);
    const label = LABEL_OF[top.code];

    // Rules for the chosen label count for it; rules for any other label count against it.
    const explanation: Contribution[] = fireRules(record, this.now()).map((rule) => ({
      feature: rule.id,
      weight: LABEL_OF[rule.code] === label ? rule.confidence : -rule.confidence,
    }));
    if (!explanation.some((c) => c.weight > 0)) {
      // The analysis may come from another provider, or the record's rules may since differ.
      explanation.push({ feature: `analysis.${top.code}`, weight: top.confidence });
    }
    explanation.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    return { label, confidence: top.confidence, explanation };
  }

  async resolve(
    _record: RecordInput,
    classification: ClassificationResult,
  ): Promise<ResolutionResult> {
    const { label, confidence } = classification;
    const entry = RESOLUTION_TABLE[label];
    if (!entry) throw new AiProviderError(`resolution: unknown label ${label}`, this.name);

    const trusted = confidence >= AUTOMATE_MIN_CONFIDENCE;
    const automatable = entry.automatable && trusted;
    const mode = automatable
      ? 'can run unattended'
      : entry.automatable
        ? `held for review: label confidence ${confidence} is below ${AUTOMATE_MIN_CONFIDENCE}`
        : 'needs a person';
    return {
      action: entry.action,
      automatable,
      rationale: `${label} -> ${entry.action}: ${entry.why}; ${mode}.`,
      confidence: round(confidence * entry.fit),
    };
  }
}
