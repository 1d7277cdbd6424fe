import {
  ACTIONS,
  AI_LABELS,
  PROBLEM_CODES,
  type Action,
  type AiLabel,
  type ProblemCode,
} from '@refinery/contracts';
import type { Contribution, RecordInput } from '../provider';
import { automationFeatures, resolutionFeatures } from './decision-features';
import { explain, rationaleFor } from './explain';
import type { FeatureSpace, SparseVector } from './feature-space';
import {
  argmax,
  logits,
  probabilities,
  probabilitiesFrom,
  sigmoid,
  type LinearModel,
} from './linear-model';
import { recordFeatures } from './record-features';

/** The codes the one-vs-rest models predict; NONE is what is left when none fires. */
export const DETECTABLE_PROBLEMS = PROBLEM_CODES.filter(
  (code): code is Exclude<ProblemCode, 'NONE'> => code !== 'NONE',
);

/** Below these, an action is recommended but a person confirms it. */
export const AUTOMATION_MIN_CONFIDENCE = { action: 0.6, label: 0.5 } as const;

export interface LocalModels {
  problems: LinearModel;
  label: LinearModel;
  action: LinearModel;
  automatable: LinearModel;
}

export interface ProblemScore {
  code: Exclude<ProblemCode, 'NONE'>;
  probability: number;
  raw: number;
}

export interface LabelDecision {
  label: AiLabel;
  confidence: number;
  raw: number;
  explanation: Contribution[];
  /** Calibrated probability of every label, in AI_LABELS order. */
  probabilities: number[];
}

export interface ActionDecision {
  action: Action;
  confidence: number;
  raw: number;
  automatable: boolean;
  rationale: string;
  explanation: Contribution[];
}

/** A trained local model: pure, synchronous inference over the three stages. */
export class LocalModel {
  private readonly encoded = new WeakMap<ReadonlyMap<string, number>, SparseVector>();

  constructor(
    readonly version: string,
    readonly recordSpace: FeatureSpace,
    readonly decisionSpace: FeatureSpace,
    readonly models: LocalModels,
  ) {}

  features(record: RecordInput): Map<string, number> {
    return recordFeatures(record);
  }

  /** The three stages encode the same features; the vector is built once per features map. */
  encodeRecord(features: ReadonlyMap<string, number>): SparseVector {
    let vector = this.encoded.get(features);
    if (!vector) {
      vector = this.recordSpace.encode(features);
      this.encoded.set(features, vector);
    }
    return vector;
  }

  /** Every detectable code with its calibrated and raw probability. */
  scoreProblems(features: ReadonlyMap<string, number>): ProblemScore[] {
    const z = logits(this.models.problems, this.encodeRecord(features));
    const calibrated = probabilitiesFrom(this.models.problems, z);
    return DETECTABLE_PROBLEMS.map((code, k) => ({
      code,
      probability: calibrated[k],
      raw: sigmoid(z[k]),
    }));
  }

  detectProblems(features: ReadonlyMap<string, number>): Exclude<ProblemCode, 'NONE'>[] {
    return this.scoreProblems(features)
      .filter((s) => s.probability >= 0.5)
      .map((s) => s.code);
  }

  classify(features: ReadonlyMap<string, number>, explanationSize = 5): LabelDecision {
    const x = this.encodeRecord(features);
    const z = logits(this.models.label, x);
    const calibrated = probabilitiesFrom(this.models.label, z);
    const best = argmax(calibrated);
    return {
      label: AI_LABELS[best],
      confidence: calibrated[best],
      raw: probabilitiesFrom(this.models.label, z, true)[best],
      explanation: explain(this.models.label, x, best, explanationSize),
      probabilities: [...calibrated],
    };
  }

  resolve(
    features: ReadonlyMap<string, number>,
    label: AiLabel,
    labelConfidence: number,
    problems: readonly ProblemCode[] = this.detectProblems(features),
  ): ActionDecision {
    const x = this.decisionSpace.encode(resolutionFeatures(features, label, problems));
    const z = logits(this.models.action, x);
    const calibrated = probabilitiesFrom(this.models.action, z);
    const best = argmax(calibrated);
    const action = ACTIONS[best];
    const confidence = calibrated[best];
    // A few extra, since crosses and plain features can read the same in the rationale.
    const explanation = explain(this.models.action, x, best, 8);
    const automation = this.decisionSpace.encode(automationFeatures(features, label, action));
    const runsAlone = probabilities(this.models.automatable, automation)[0] >= 0.5;
    // The model says whether this kind of action may run alone; confidence says whether we trust it.
    const automatable =
      runsAlone &&
      confidence >= AUTOMATION_MIN_CONFIDENCE.action &&
      labelConfidence >= AUTOMATION_MIN_CONFIDENCE.label;
    return {
      action,
      confidence,
      raw: probabilitiesFrom(this.models.action, z, true)[best],
      automatable,
      rationale: rationaleFor(action, confidence, explanation),
      explanation,
    };
  }

  /** The features a label leans on most across all records, read back from the weights. */
  topFeatures(label: AiLabel, limit = 10): Contribution[] {
    const model = this.models.label;
    const row = AI_LABELS.indexOf(label) * model.dims;
    return [...Array(model.dims).keys()]
      .map((column) => {
        const { name, sign } = this.recordSpace.nameOf(column);
        return { feature: name, weight: model.weights[row + column] * sign };
      })
      .sort((a, b) => b.weight - a.weight)
      .slice(0, limit);
  }
}
