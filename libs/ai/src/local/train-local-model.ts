import {
  ACTIONS,
  AI_LABELS,
  type Action,
  type AiLabel,
  type ProblemCode,
} from '@refinery/contracts';
import { Rng } from '../seed/prng';
import { DEFAULT_SEED_SET, generateSeedSet, type SeedExample } from '../seed/seed-set';
import { calibrateLocalModel } from './calibrate-local-model';
import type { SoftmaxCalibration } from './calibration';
import { automationFeatures, DECISION_FEATURES, resolutionFeatures } from './decision-features';
import { evaluateLocalModel, type EvaluationReport } from './evaluate';
import { FeatureSpace, type SparseVector } from './feature-space';
import { fingerprint } from './hashing';
import { createLinearModel, type LinearModel, type Link } from './linear-model';
import { DETECTABLE_PROBLEMS, LocalModel } from './local-model';
import { recordFeatures, STRUCTURED_FEATURES } from './record-features';
import { trainLinear, type TrainingOptions } from './sgd-trainer';
import { oneHot, problemTargets } from './targets';

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

/** A record the label model learns from besides the seed set. */
export interface LabelRow {
  features: ReadonlyMap<string, number>;
  label: AiLabel;
}

/** A record the problem detector learns from besides the seed set. */
export interface ProblemRow {
  features: ReadonlyMap<string, number>;
  problems: readonly ProblemCode[];
}

/** A record the action model learns from, with the label and problems it is resolved with. */
export interface ActionRow extends LabelRow {
  problems: readonly ProblemCode[];
  action: Action;
}

/** Rows added to the train split of the seed set, and the version of the model they make. */
export interface ExtraRows {
  version: string;
  /** Varies the order SGD sees the rows in (0, the shipped model's, by default). */
  shuffle?: number;
  /** Models trained on as many orders of the rows, averaged into one (1: no averaging). */
  average?: number;
  label: readonly LabelRow[];
  /** Problems a person's answer implies; the detector gates classification, so it learns too. */
  problems?: readonly ProblemRow[];
  /** Called once the label and problem models are trained, so rows can use their answers. */
  action: (draft: LocalModel) => readonly ActionRow[];
}

/**
 * The mean of linear models of one shape: for a linear model that is the mean of their logits,
 * an ensemble at the cost of one model. Float32 like every trained weight.
 */
function averageOf(models: LinearModel[]): LinearModel {
  if (models.length === 1) return models[0];
  const [first] = models;
  for (const m of models.slice(1)) {
    for (let j = 0; j < m.weights.length; j++) first.weights[j] += m.weights[j];
    for (let k = 0; k < m.bias.length; k++) first.bias[k] += m.bias[k];
  }
  for (let j = 0; j < first.weights.length; j++)
    first.weights[j] = Math.fround(first.weights[j] / models.length);
  for (let k = 0; k < first.bias.length; k++) first.bias[k] /= models.length;
  return first;
}

/** The seed set the options name, split into train, validation and test. */
function seedSplits(options: LocalModelOptions) {
  const seed = options.seed ?? DEFAULT_SEED_SET.seed;
  const examples = generateSeedSet({
    seed,
    size: options.size ?? DEFAULT_SEED_SET.size,
    labelNoise: options.labelNoise ?? DEFAULT_SEED_SET.labelNoise,
  });
  return { seed, examples, ...split(examples, seed) };
}

/** The held-out test split of the seed set: what the shipped model was measured on. */
export const seedTestSplit = (options: LocalModelOptions = {}): SeedExample[] =>
  seedSplits(options).test;

/** Generates the seed set, trains the four linear models, calibrates and evaluates them. */
export function trainLocalModel(options: LocalModelOptions = {}): TrainedLocalModel {
  return fitLocalModel(options);
}

/**
 * The one training path: the seed set's train split plus any extra rows for the problem, label
 * and action models. Automation learns from the seed set alone, and calibration and
 * the report always use the seed set's validation and test splits.
 */
export function fitLocalModel(options: LocalModelOptions, extra?: ExtraRows): TrainedLocalModel {
  const started = performance.now();
  const { seed, examples, train, validation, test } = seedSplits(options);
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
      seed: seed ^ salt ^ ((extra?.shuffle ?? 0) << 8),
    }) satisfies TrainingOptions;

  // Averaged only where extra rows change a model: the others stay as the seed set made them.
  const fit = (
    inputs: SparseVector[],
    targets: Float64Array[],
    options: TrainingOptions,
    extraRows = 0,
  ) =>
    averageOf(
      Array.from({ length: extraRows > 0 ? (extra?.average ?? 1) : 1 }, (_, run) =>
        trainLinear(inputs, targets, { ...options, seed: options.seed ^ (run << 16) }),
      ),
    );

  const features = train.map((e) => recordFeatures(e.record));
  const x = features.map((f) => recordSpace.encode(f));
  const extraLabels = extra?.label ?? [];
  const labelX = [...x, ...extraLabels.map((r) => recordSpace.encode(r.features))];
  labelX.forEach((v) => recordSpace.observe(v));

  const extraProblems = extra?.problems ?? [];
  const problems = fit(
    [...x, ...extraProblems.map((r) => recordSpace.encode(r.features))],
    [...train, ...extraProblems].map((r) => problemTargets(r.problems)),
    sgd('record', DETECTABLE_PROBLEMS.length, 'sigmoid', 1),
    extraProblems.length,
  );
  const label = fit(
    labelX,
    [...train, ...extraLabels].map((r) => oneHot(AI_LABELS.length, [AI_LABELS.indexOf(r.label)])),
    sgd('record', AI_LABELS.length, 'softmax', 2),
    extraLabels.length,
  );
  const automatable = fit(
    features.map((f, i) =>
      decisionSpace.encode(automationFeatures(f, train[i].label, train[i].action)),
    ),
    train.map((e) => Float64Array.of(e.automatable ? 1 : 0)),
    sgd('decision', 1, 'sigmoid', 4),
  );

  const version =
    extra?.version ??
    `${MODEL_GENERATION}+seed${fingerprint([
      JSON.stringify(hp),
      ...examples.map((e) => JSON.stringify(e)),
    ])}`;
  /** Labels and problems before calibration: the argmax and the 0.5 cut do not move with it. */
  const draftModel = () =>
    new LocalModel(version, recordSpace, decisionSpace, {
      problems,
      label,
      action: createLinearModel('softmax', ACTIONS.length, decisionSpace.dims),
      automatable,
    });
  // The seed rows learn from the true label; calibration below sees predicted ones.
  const actionRows: readonly ActionRow[] = [
    ...train.map((e, i) => ({ ...e, features: features[i] })),
    ...(extra?.action(draftModel()) ?? []),
  ];
  const action = fit(
    actionRows.map((r) =>
      decisionSpace.encode(resolutionFeatures(r.features, r.label, r.problems)),
    ),
    actionRows.map((r) => oneHot(ACTIONS.length, [ACTIONS.indexOf(r.action)])),
    sgd('decision', ACTIONS.length, 'softmax', 3),
    actionRows.length - train.length,
  );

  const model = new LocalModel(version, recordSpace, decisionSpace, {
    problems,
    label,
    action,
    automatable,
  });
  calibrateLocalModel(model, validation, decisionSpace);
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
