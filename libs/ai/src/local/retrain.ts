import type { Action, AiLabel, ProblemCode } from '@refinery/contracts';
import type { RecordInput } from '../provider';
import { createLocalProvider } from './local-provider';
import { recordFeatures } from './record-features';
import {
  fitLocalModel,
  type ActionRow,
  type LabelRow,
  type LocalModelOptions,
  type ProblemRow,
  type TrainedLocalModel,
  seedTestSplit,
} from './train-local-model';

/**
 * The problem each label cannot be given without (labelFor in seed/labelling-rules.ts): a
 * person who says "damaged item" says damage was reported. OTHER implies none.
 */
const IMPLIED_PROBLEM: Record<AiLabel, ProblemCode | undefined> = {
  DELIVERY_DELAY: 'LATE_SHIPMENT',
  ADDRESS_ISSUE: 'ADDRESS_INVALID',
  DAMAGED_ITEM: 'DAMAGE_REPORTED',
  MISSING_ITEM: 'MISSING_ITEM',
  PAYMENT_ISSUE: 'PAYMENT_MISMATCH',
  INVENTORY_SHORTAGE: 'STOCKOUT_RISK',
  CUSTOMER_REQUEST: 'CUSTOMER_REQUEST',
  OTHER: undefined,
};

/** A person's answer on one record: the label, the action, or both. */
export interface CorrectionExample {
  record: RecordInput;
  label?: AiLabel;
  action?: Action;
}

export interface RetrainOptions {
  /** The seed set of the shipped model; corrections join its train split. */
  base?: LocalModelOptions;
  corrections: readonly CorrectionExample[];
  /** How many times each correction is repeated in training. */
  correctionWeight?: number;
  /** The name the registry gives the new model, e.g. `classification@3`. */
  version: string;
  /** Another order of the training rows: SGD's result moves by about a point with it. */
  shuffle?: number;
  /** Models trained on as many orders, averaged: steadier than any one of them. */
  average?: number;
}

/**
 * Measured with 500 drifted corrections: at weight 1 they are learned less and cost the seed
 * test split about a point; at 4 they add ~43 points on drifted records and the seed split
 * holds (retrain.spec.ts). 6 does as well; at 8 a reviewer's mistakes start to cost it.
 */
export const DEFAULT_CORRECTION_WEIGHT = 4;

/** Orders of the rows averaged by default; see retrain.spec.ts for what it steadies. */
export const DEFAULT_AVERAGE = 4;

/** Trains the shipped model again with people's corrections added to its training data. */
export function retrainLocalModel(options: RetrainOptions): TrainedLocalModel {
  const weight = options.correctionWeight ?? DEFAULT_CORRECTION_WEIGHT;
  if (!Number.isInteger(weight) || weight < 1) {
    throw new RangeError(`correctionWeight must be a positive integer, got ${weight}`);
  }
  const repeat = <T>(rows: T[]) => rows.flatMap((row) => Array<T>(weight).fill(row));
  const shipped = createLocalProvider(options.base).trained.model;
  const corrections = options.corrections.map((c) => ({
    ...c,
    features: recordFeatures(c.record),
  }));

  return fitLocalModel(options.base ?? {}, {
    version: options.version,
    shuffle: options.shuffle,
    average: options.average ?? DEFAULT_AVERAGE,
    // The problem detector decides whether a record is classified at all: a label it cannot
    // see the problem of would never be given.
    // Its targets are what the shipped detector finds plus what the label implies, so a
    // correction never teaches it to miss a problem it saw (a late companion in the dates).
    problems: repeat(
      corrections.flatMap(({ features, label }): ProblemRow[] => {
        const implied = label && IMPLIED_PROBLEM[label];
        if (!implied) return [];
        const seen = shipped.detectProblems(features);
        return [{ features, problems: [...new Set<ProblemCode>([...seen, implied])] }];
      }),
    ),
    label: repeat(
      corrections.flatMap(({ features, label }): LabelRow[] =>
        label ? [{ features, label }] : [],
      ),
    ),
    // Without a label from the person, the action is learned in the context the model will
    // see it in: its own label, and the problems it detects.
    action: (draft) =>
      repeat(
        corrections.flatMap(({ features, label, action }): ActionRow[] =>
          action
            ? [
                {
                  features,
                  label: label ?? draft.classify(features, 0).label,
                  problems: draft.detectProblems(features),
                  action,
                },
              ]
            : [],
        ),
      ),
  });
}

/**
 * The seed set's held-out test split as people's answers: the data the shipped model was
 * measured on, against which a retrained model must not regress.
 */
export function referenceExamples(base: LocalModelOptions = {}): CorrectionExample[] {
  return seedTestSplit(base).map(({ record, label, action }) => ({ record, label, action }));
}
