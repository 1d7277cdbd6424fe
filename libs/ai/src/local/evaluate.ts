import type { SeedExample } from '../seed/seed-set';
import { expectedCalibrationError } from './calibration';
import { DETECTABLE_PROBLEMS, type LocalModel } from './local-model';
import { accuracy, microF1, type MicroF1 } from './metrics';

export interface CalibrationFigures {
  /** Expected calibration error of the calibrated probabilities. */
  ece: number;
  /** The same before temperature scaling. */
  eceUncalibrated: number;
}

export interface EvaluationReport {
  examples: number;
  /** Top label: accuracy, and calibration of the stated confidence. */
  classification: { accuracy: number } & CalibrationFigures;
  /** Micro-averaged over the codes (NONE excluded); calibration over every record and code. */
  problems: MicroF1 & CalibrationFigures;
  resolution: {
    /** End to end: on the labels and problems this model predicted. */
    accuracy: number;
    /** On the true label and problems: how good the action model is on its own. */
    accuracyGivenTrueLabel: number;
    /** Agreement with the labelled `automatable`, after the confidence gate. */
    automatableAccuracy: number;
  } & CalibrationFigures;
}

/** Runs the three stages on labelled examples, as the pipeline would, and scores them. */
export function evaluateLocalModel(
  model: LocalModel,
  examples: readonly SeedExample[],
): EvaluationReport {
  const labels = { predicted: [] as string[], conf: [] as number[], raw: [] as number[] };
  const problems = {
    predicted: [] as string[][],
    p: [] as number[],
    raw: [] as number[],
    y: [] as number[],
  };
  const actions = { predicted: [] as string[], conf: [] as number[], raw: [] as number[] };
  const givenTruth: string[] = [];
  const automatable: boolean[] = [];

  for (const example of examples) {
    const features = model.features(example.record);
    const scores = model.scoreProblems(features);
    const detected = scores.filter((s) => s.probability >= 0.5).map((s) => s.code);
    for (const score of scores) {
      problems.p.push(score.probability);
      problems.raw.push(score.raw);
      problems.y.push(example.problems.includes(score.code) ? 1 : 0);
    }
    problems.predicted.push(detected);

    const label = model.classify(features, 0);
    labels.predicted.push(label.label);
    labels.conf.push(label.confidence);
    labels.raw.push(label.raw);

    const action = model.resolve(features, label.label, label.confidence, detected);
    actions.predicted.push(action.action);
    actions.conf.push(action.confidence);
    actions.raw.push(action.raw);
    automatable.push(action.automatable);
    givenTruth.push(model.resolve(features, example.label, 1, example.problems).action);
  }

  const trueLabels = examples.map((e) => e.label);
  const trueActions = examples.map((e) => e.action);
  const hits = (predicted: string[], truth: string[]) =>
    predicted.map((p, i) => (p === truth[i] ? 1 : 0));
  const labelHits = hits(labels.predicted, trueLabels);
  const actionHits = hits(actions.predicted, trueActions);
  const realProblems = examples.map((e) =>
    e.problems.filter((code) => (DETECTABLE_PROBLEMS as readonly string[]).includes(code)),
  );

  return {
    examples: examples.length,
    classification: {
      accuracy: accuracy(labels.predicted, trueLabels),
      ece: expectedCalibrationError(labels.conf, labelHits),
      eceUncalibrated: expectedCalibrationError(labels.raw, labelHits),
    },
    problems: {
      ...microF1(problems.predicted, realProblems),
      ece: expectedCalibrationError(problems.p, problems.y),
      eceUncalibrated: expectedCalibrationError(problems.raw, problems.y),
    },
    resolution: {
      accuracy: accuracy(actions.predicted, trueActions),
      accuracyGivenTrueLabel: accuracy(givenTruth, trueActions),
      automatableAccuracy: accuracy(
        automatable,
        examples.map((e) => e.automatable),
      ),
      ece: expectedCalibrationError(actions.conf, actionHits),
      eceUncalibrated: expectedCalibrationError(actions.raw, actionHits),
    },
  };
}
