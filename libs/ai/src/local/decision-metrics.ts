import { ACTIONS, AI_LABELS } from '@refinery/contracts';
import { expectedCalibrationError } from './calibration';
import type { LocalModel } from './local-model';
import { accuracy } from './metrics';
import type { CorrectionExample } from './retrain';

/** How one decision (label or action) scores on labelled examples, as a registry stores it. */
export interface DecisionMetrics {
  examples: number;
  accuracy: number;
  /**
   * Mean F1 over the classes found in the truth or the predictions, as scikit-learn's
   * `f1_score(average='macro')`: a class never predicted and never true does not count, one
   * predicted but never true counts as 0. Per class, F1 = 2TP / (2TP + FP + FN).
   */
  macro_f1: number;
  /** Expected calibration error of the stated confidences, ten equal-width bins. */
  calibration_error: number;
  /** Per class of `classes`; null where the truth has no example of it. */
  recall: Record<string, number | null>;
  /** True examples of each class: how much a recall can be trusted. */
  support: Record<string, number>;
}

export interface CorrectionMetrics {
  /** Over the examples with a label. */
  classification?: DecisionMetrics;
  /** Over the examples with an action, resolved with the true label when there is one. */
  resolution?: DecisionMetrics;
}

export function decisionMetrics(
  predicted: readonly string[],
  truth: readonly string[],
  confidences: readonly number[],
  classes: readonly string[],
): DecisionMetrics {
  if (truth.length === 0) throw new RangeError('decision metrics need at least one example');
  if (predicted.length !== truth.length || confidences.length !== truth.length) {
    throw new RangeError('predicted, truth and confidences differ in length');
  }
  const tally = new Map(classes.map((c) => [c, { tp: 0, fp: 0, fn: 0, support: 0 }]));
  const of = (value: string) => {
    const counts = tally.get(value);
    if (!counts) throw new RangeError(`"${value}" is not one of the classes`);
    return counts;
  };
  truth.forEach((t, i) => {
    of(t).support++;
    if (predicted[i] === t) of(t).tp++;
    else {
      of(predicted[i]).fp++;
      of(t).fn++;
    }
  });
  const f1 = [...tally.values()]
    .filter(({ tp, fp, fn }) => tp + fp + fn > 0)
    .map(({ tp, fp, fn }) => (2 * tp) / (2 * tp + fp + fn));
  const recall = Object.fromEntries(
    [...tally].map(([c, { tp, support }]) => [c, support === 0 ? null : tp / support]),
  );
  return {
    examples: truth.length,
    accuracy: accuracy(predicted, truth),
    macro_f1: f1.reduce((sum, value) => sum + value, 0) / f1.length,
    calibration_error: expectedCalibrationError(
      confidences,
      predicted.map((p, i) => (p === truth[i] ? 1 : 0)),
    ),
    recall,
    support: Object.fromEntries([...tally].map(([c, { support }]) => [c, support])),
  };
}

/** What a record gets when no problem is found: no label, always wrong against a person's. */
export const NOT_CLASSIFIED = 'NOT_CLASSIFIED';

/** Scores a model on people's corrections: what a registry compares candidate models by. */
export function evaluateCorrections(
  model: LocalModel,
  examples: readonly CorrectionExample[],
): CorrectionMetrics {
  const labels = { predicted: [] as string[], truth: [] as string[], confidence: [] as number[] };
  const actions = { predicted: [] as string[], truth: [] as string[], confidence: [] as number[] };
  for (const example of examples) {
    if (!example.label && !example.action) continue;
    const features = model.features(example.record);
    const decision = model.classify(features, 0);
    if (example.label) {
      // As the pipeline answers: a record without a detected problem is not classified.
      const gated = model.detectProblems(features).length === 0;
      labels.predicted.push(gated ? NOT_CLASSIFIED : decision.label);
      labels.truth.push(example.label);
      labels.confidence.push(decision.confidence);
    }
    if (example.action) {
      // With the true label the action is scored on its own, not on the label model's errors.
      const resolved = example.label
        ? model.resolve(features, example.label, 1)
        : model.resolve(features, decision.label, decision.confidence);
      actions.predicted.push(resolved.action);
      actions.truth.push(example.action);
      actions.confidence.push(resolved.confidence);
    }
  }
  const score = (of: typeof labels, classes: readonly string[]) =>
    of.truth.length > 0
      ? decisionMetrics(of.predicted, of.truth, of.confidence, classes)
      : undefined;
  const classification = score(labels, [...AI_LABELS, NOT_CLASSIFIED]);
  const resolution = score(actions, ACTIONS);
  return {
    ...(classification && { classification }),
    ...(resolution && { resolution }),
  };
}
