import { ACTIONS, AI_LABELS } from '@refinery/contracts';
import { Rng } from '../seed/prng';
import { DEFAULT_SEED_SET, generateSeedSet, type SeedExample } from '../seed/seed-set';
import {
  fitSigmoidTemperatures,
  fitSoftmaxCalibration,
  type SoftmaxCalibration,
} from './calibration';
import { automationFeatures, DECISION_FEATURES, resolutionFeatures } from './decision-features';
import { evaluateLocalModel, type EvaluationReport } from './evaluate';
import { FeatureSpace } from './feature-space';
import { fingerprint } from './hashing';
import { logits, type LinearModel, type Link } from './linear-model';
import { DETECTABLE_PROBLEMS, LocalModel } from './local-model';
import { recordFeatures, STRUCTURED_FEATURES } from './record-features';
import { trainLinear, type TrainingOptions } from './sgd-trainer';

export interface LocalModelOptions {
  /** Seed of the generated training set and of every shuffle. */
  seed?: number;
  /** Number of generated examples, split 60/20/20 into train, calibration and test. */
  size?: number;
  /** Share of deliberately wrong labels in the generated set. */
  labelNoise?: number;
}

/** Bumped when features or training change in a way that changes predictions. */
const MODEL_GENERATION = 'local-lr-1';

const HYPERPARAMETERS = {
  recordHashBits: 12,
  decisionHashBits: 14,
  epochs: 8,
  batchSize: 16,
  /** Decision vectors repeat every record feature crossed with the label, so about twice
   * the squared norm: a smaller step keeps the effective rate the same. */
  learningRate: { record: 8, decision: 3 },
  l2: 3e-5,
  validationShare: 0.2,
  testShare: 0.2,
};

export interface TrainingReport {
  version: string;
  seed: number;
  sizes: { train: number; validation: number; test: number };
  /** Fitted on the validation split. */
  calibration: {
    label: SoftmaxCalibration;
    action: SoftmaxCalibration;
    problemTemperatures: number[];
  };
  /** Measured on the held-out test split, never seen in training or calibration. */
  test: EvaluationReport;
  trainingMs: number;
}

export interface TrainedLocalModel {
  readonly model: LocalModel;
  /** Evaluated on the held-out test split on first access. */
  readonly report: TrainingReport;
}

/** Generates the seed set, trains the four linear models, calibrates and evaluates them. */
export function trainLocalModel(options: LocalModelOptions = {}): TrainedLocalModel {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED_SET.seed;
  const examples = generateSeedSet({
    seed,
    size: options.size ?? DEFAULT_SEED_SET.size,
    labelNoise: options.labelNoise ?? DEFAULT_SEED_SET.labelNoise,
  });
  const { train, validation, test } = split(examples, seed);
  const hp = HYPERPARAMETERS;
  const recordSpace = new FeatureSpace(STRUCTURED_FEATURES, hp.recordHashBits);
  const decisionSpace = new FeatureSpace(DECISION_FEATURES, hp.decisionHashBits);
  const sgd = (space: 'record' | 'decision', outputs: number, link: Link, salt: number) =>
    ({
      link,
      outputs,
      dims: (space === 'record' ? recordSpace : decisionSpace).dims,
      epochs: hp.epochs,
      batchSize: hp.batchSize,
      learningRate: hp.learningRate[space],
      l2: hp.l2,
      seed: seed ^ salt,
    }) satisfies TrainingOptions;

  const features = train.map((e) => recordFeatures(e.record));
  const x = features.map((f) => recordSpace.encode(f));
  x.forEach((v) => recordSpace.observe(v));

  const problems = trainLinear(
    x,
    train.map((e) => oneHot(DETECTABLE_PROBLEMS.length, indices(DETECTABLE_PROBLEMS, e.problems))),
    sgd('record', DETECTABLE_PROBLEMS.length, 'sigmoid', 1),
  );
  const label = trainLinear(
    x,
    train.map((e) => oneHot(AI_LABELS.length, [AI_LABELS.indexOf(e.label)])),
    sgd('record', AI_LABELS.length, 'softmax', 2),
  );
  // The action models learn from the true label; calibration below sees predicted ones.
  const action = trainLinear(
    features.map((f, i) =>
      decisionSpace.encode(resolutionFeatures(f, train[i].label, train[i].problems)),
    ),
    train.map((e) => oneHot(ACTIONS.length, [ACTIONS.indexOf(e.action)])),
    sgd('decision', ACTIONS.length, 'softmax', 3),
  );
  const automatable = trainLinear(
    features.map((f, i) =>
      decisionSpace.encode(automationFeatures(f, train[i].label, train[i].action)),
    ),
    train.map((e) => Float64Array.of(e.automatable ? 1 : 0)),
    sgd('decision', 1, 'sigmoid', 4),
  );

  const version = `${MODEL_GENERATION}+seed${fingerprint([
    JSON.stringify(hp),
    ...examples.map((e) => JSON.stringify(e)),
  ])}`;
  const model = new LocalModel(version, recordSpace, decisionSpace, {
    problems,
    label,
    action,
    automatable,
  });
  calibrate(model, validation, decisionSpace);
  const trainingMs = performance.now() - started;

  const summary = {
    version,
    seed,
    sizes: { train: train.length, validation: validation.length, test: test.length },
    calibration: {
      label: { temperature: label.temperatures[0], floor: label.floor },
      action: { temperature: action.temperatures[0], floor: action.floor },
      problemTemperatures: [...problems.temperatures],
    },
    trainingMs,
  };
  // Scoring the test split is reporting, not training: done when someone asks.
  let report: TrainingReport | undefined;
  return {
    model,
    get report() {
      report ??= { ...summary, test: evaluateLocalModel(model, test) };
      return report;
    },
  };
}

/** Fits the temperatures on the validation split, in the conditions the pipeline runs in. */
function calibrate(
  model: LocalModel,
  validation: readonly SeedExample[],
  decisionSpace: FeatureSpace,
): void {
  const { problems, label, action } = model.models;
  const features = validation.map((e) => recordFeatures(e.record));
  const x = features.map((f) => model.encodeRecord(f));
  problems.temperatures.set(
    fitSigmoidTemperatures(
      x.map((v) => logits(problems, v)),
      validation.map((e) =>
        oneHot(DETECTABLE_PROBLEMS.length, indices(DETECTABLE_PROBLEMS, e.problems)),
      ),
    ),
  );
  applyCalibration(
    label,
    fitSoftmaxCalibration(
      x.map((v) => logits(label, v)),
      validation.map((e) => AI_LABELS.indexOf(e.label)),
    ),
  );
  const actionLogits = features.map((f) => {
    const predicted = model.classify(f, 0).label;
    return logits(
      action,
      decisionSpace.encode(resolutionFeatures(f, predicted, model.detectProblems(f))),
    );
  });
  applyCalibration(
    action,
    fitSoftmaxCalibration(
      actionLogits,
      validation.map((e) => ACTIONS.indexOf(e.action)),
    ),
  );
}

function applyCalibration(model: LinearModel, { temperature, floor }: SoftmaxCalibration): void {
  model.temperatures[0] = temperature;
  model.floor = floor;
}

/** Seeded shuffle, then test and validation slices off the front. */
function split(examples: readonly SeedExample[], seed: number) {
  const shuffled = new Rng(seed ^ 0x5eed).shuffle([...examples]);
  const testSize = Math.round(shuffled.length * HYPERPARAMETERS.testShare);
  const validationSize = Math.round(shuffled.length * HYPERPARAMETERS.validationShare);
  return {
    test: shuffled.slice(0, testSize),
    validation: shuffled.slice(testSize, testSize + validationSize),
    train: shuffled.slice(testSize + validationSize),
  };
}

/** Positions of the values in the vocabulary; values it lacks (NONE) are skipped. */
function indices(vocabulary: readonly unknown[], values: readonly unknown[]): number[] {
  return values.map((v) => vocabulary.indexOf(v)).filter((i) => i >= 0);
}

/** A target row: 1 at each given index. */
function oneHot(size: number, at: readonly number[]): Float64Array {
  const row = new Float64Array(size);
  for (const i of at) row[i] = 1;
  return row;
}
