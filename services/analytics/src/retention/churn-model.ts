import { createHash } from 'node:crypto';
import { fitLogistic, linearPredictor, logLossAt, sigmoid } from './logistic-regression';

export const CHURN_FEATURES = [
  'recency_days',
  'frequency',
  'monetary',
  'exceptions',
  'tenure_days',
] as const;
export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/** A customer as of the cutoff date. */
export interface CustomerFeatures {
  id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  exceptions: number;
  tenure_days: number;
}

/** `churned`: no activity in the 30 days after the cutoff. */
export type LabelledCustomer = CustomerFeatures & { churned: boolean };

export interface ChurnModelOptions {
  /** Share of customers held out, chosen by a hash of the id (default 0.3). */
  holdoutShare?: number;
  /** L2 penalty on the standardised coefficients, not the intercept (default 1e-4). */
  ridge?: number;
  /** Newton stops when no coefficient would move more than this (default 1e-10). */
  tolerance?: number;
  maxIterations?: number;
}

export interface ChurnModel {
  /** Log-odds per standard deviation of each feature (train split), and the intercept. */
  coefficients: Record<ChurnFeature, number> & { intercept: number };
  means: Record<ChurnFeature, number>;
  /** Sample sds (n - 1). A feature constant in the train split has sd 0 and coefficient 0. */
  sds: Record<ChurnFeature, number>;
  iterations: number;
  converged: boolean;
  train: { n: number; churn_rate: number };
  /** AUC and log loss are null when the holdout lacks either class (log loss: when empty). */
  holdout: { n: number; churn_rate: number | null; auc: number | null; log_loss: number | null };
  /** Probability of churn in the 30 days after the cutoff. */
  score(features: CustomerFeatures): number;
}

/**
 * Logistic regression of churn on the five features, standardised with the train split's
 * means and sds. The split hashes the id, so a customer stays on the same side between runs.
 */
export function trainChurnModel(
  rows: readonly LabelledCustomer[],
  options: ChurnModelOptions = {},
): ChurnModel {
  const { holdoutShare = 0.3, ridge = 1e-4, tolerance = 1e-10, maxIterations = 50 } = options;
  if (!(holdoutShare >= 0 && holdoutShare < 1)) {
    throw new RangeError(`holdoutShare must be in [0, 1), got ${holdoutShare}`);
  }
  if (!(ridge >= 0 && Number.isFinite(ridge))) {
    throw new RangeError(`ridge must be a finite number >= 0, got ${ridge}`);
  }
  if (rows.length === 0) throw new RangeError('no customers to train on');
  for (const row of rows) requireFeatures(row);

  const train: LabelledCustomer[] = [];
  const holdout: LabelledCustomer[] = [];
  for (const row of rows) (holdoutFraction(row.id) < holdoutShare ? holdout : train).push(row);
  const trainChurned = train.filter((row) => row.churned).length;
  if (trainChurned === 0 || trainChurned === train.length) {
    throw new RangeError(
      `the training split (${train.length} customers) needs both churned and retained customers`,
    );
  }

  const column = (f: ChurnFeature) => train.map((row) => row[f]);
  const means = byFeature((f) => mean(column(f)));
  // A constant feature cannot be standardised and carries nothing: it stays out of the fit.
  // Compared exactly, since the mean of equal values can differ from them in the last bit.
  const constant = (f: ChurnFeature) => train.every((row) => row[f] === train[0][f]);
  const sds = byFeature((f) => (constant(f) ? 0 : sampleSd(column(f), means[f])));
  const active = CHURN_FEATURES.filter((f) => sds[f] > 0);
  const standardise = (row: CustomerFeatures) => active.map((f) => (row[f] - means[f]) / sds[f]);

  const fit = fitLogistic(
    train.map(standardise),
    train.map((row) => row.churned),
    { ridge, tolerance, maxIterations },
  );
  const coefficients = {
    intercept: fit.beta[0],
    ...byFeature((f) => (active.includes(f) ? fit.beta[active.indexOf(f) + 1] : 0)),
  };
  const logOdds = (row: CustomerFeatures) => linearPredictor(fit.beta, standardise(row));

  const etas = holdout.map(logOdds);
  const labels = holdout.map((row) => row.churned);
  const holdoutChurned = labels.filter(Boolean).length;
  const bothClasses = holdoutChurned > 0 && holdoutChurned < holdout.length;
  return {
    coefficients,
    means,
    sds,
    iterations: fit.iterations,
    converged: fit.converged,
    train: { n: train.length, churn_rate: trainChurned / train.length },
    holdout: {
      n: holdout.length,
      churn_rate: holdout.length ? holdoutChurned / holdout.length : null,
      // Ranked by log-odds: the same order as the probabilities, without ties where p rounds to 1.
      auc: bothClasses ? auc(etas, labels) : null,
      log_loss: holdout.length ? mean(etas.map((eta, i) => logLossAt(eta, labels[i]))) : null,
    },
    score(features) {
      requireFeatures(features);
      return sigmoid(logOdds(features));
    },
  };
}

/** The id's place in [0, 1): the first 48 bits of SHA-256(id), exact in a double. */
export function holdoutFraction(id: string): number {
  return createHash('sha256').update(id, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Area under the ROC curve as the Mann-Whitney statistic: of all (churned, retained) pairs,
 * the share where the churned one scores higher, ties counting 1/2. Computed from midranks,
 * U = R₁ - n₁(n₁ + 1)/2 with R₁ the rank sum of the positives, so it is O(n log n).
 */
export function auc(scores: readonly number[], labels: readonly boolean[]): number {
  if (scores.length !== labels.length) {
    throw new RangeError(`${scores.length} scores for ${labels.length} labels`);
  }
  if (scores.some((s) => Number.isNaN(s))) throw new RangeError('a score is NaN');
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError('AUC needs at least one positive and one negative label');
  }
  const order = scores.map((_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const midrank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (labels[order[i]]) positiveRankSum += midrank;
    start = end + 1;
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

function requireFeatures(row: CustomerFeatures): void {
  for (const f of CHURN_FEATURES) {
    if (typeof row[f] !== 'number' || !Number.isFinite(row[f])) {
      throw new RangeError(`customer ${row.id}: ${f} must be a finite number, got ${row[f]}`);
    }
  }
}

function byFeature(value: (feature: ChurnFeature) => number): Record<ChurnFeature, number> {
  return Object.fromEntries(CHURN_FEATURES.map((f) => [f, value(f)])) as Record<
    ChurnFeature,
    number
  >;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sampleSd(values: readonly number[], center: number): number {
  let sum = 0;
  for (const v of values) sum += (v - center) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}
