export interface LogisticFitOptions {
  /** L2 penalty λ on every coefficient but the first (the intercept). */
  ridge: number;
  /** Stop when no coefficient moves by more than this in one step. */
  tolerance: number;
  maxIterations: number;
}

export interface LogisticFit {
  /** Intercept first, then one coefficient per column of the design. */
  beta: number[];
  iterations: number;
  converged: boolean;
}

/**
 * Logistic regression by IRLS (Newton-Raphson), maximising the penalised log-likelihood
 *
 *     ℓ(β) = Σ [y_i η_i - log(1 + e^{η_i})] - (λ/2) Σ_{j≥1} β_j²,   η_i = β_0 + x_i · β_{1..},
 *
 * with the step (XᵀWX + Λ)⁻¹ (Xᵀ(y - p) - Λβ), W = diag(p (1 - p)), Λ = diag(0, λ, ..., λ).
 * A step that lowers ℓ is halved until it does not: near separation a full Newton step
 * can overshoot.
 */
export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  options: LogisticFitOptions,
): LogisticFit {
  const k = rows[0].length + 1;
  let beta = new Array<number>(k).fill(0);
  let objective = penalisedLogLikelihood(rows, labels, beta, options.ridge);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const { gradient, hessian } = newtonSystem(rows, labels, beta, options.ridge);
    const step = solveSymmetric(hessian, gradient);
    let scale = 1;
    let next = beta.map((b, j) => b + step[j]);
    let nextObjective = penalisedLogLikelihood(rows, labels, next, options.ridge);
    while (nextObjective < objective && scale > 1e-10) {
      scale /= 2;
      next = beta.map((b, j) => b + scale * step[j]);
      nextObjective = penalisedLogLikelihood(rows, labels, next, options.ridge);
    }
    beta = next;
    objective = nextObjective;
    // The full Newton step, not the halved one: a tiny halved step is no sign of an optimum.
    const largest = Math.max(...step.map(Math.abs));
    if (largest < options.tolerance) return { beta, iterations: iteration, converged: true };
  }
  return { beta, iterations: options.maxIterations, converged: false };
}

/** β_0 + x · β_{1..}: the log-odds. */
export function linearPredictor(beta: readonly number[], x: readonly number[]): number {
  let eta = beta[0];
  for (let j = 0; j < x.length; j++) eta += beta[j + 1] * x[j];
  return eta;
}

/** 1 / (1 + e^{-η}), without overflow at either end. */
export function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** -[y log p + (1 - y) log(1 - p)] from η directly, so p near 0 or 1 loses no digits. */
export function logLossAt(eta: number, label: boolean): number {
  const softplus = Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta)));
  return label ? softplus - eta : softplus;
}

function penalisedLogLikelihood(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  beta: readonly number[],
  ridge: number,
): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++)
    total -= logLossAt(linearPredictor(beta, rows[i]), labels[i]);
  for (let j = 1; j < beta.length; j++) total -= (ridge / 2) * beta[j] * beta[j];
  return total;
}

function newtonSystem(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  beta: readonly number[],
  ridge: number,
) {
  const k = beta.length;
  const gradient = beta.map((b, j) => (j === 0 ? 0 : -ridge * b));
  const hessian = beta.map((_, j) => beta.map((__, l) => (j === l && j > 0 ? ridge : 0)));
  const design = new Array<number>(k);
  design[0] = 1;
  for (let i = 0; i < rows.length; i++) {
    for (let j = 1; j < k; j++) design[j] = rows[i][j - 1];
    const p = sigmoid(linearPredictor(beta, rows[i]));
    const residual = (labels[i] ? 1 : 0) - p;
    const weight = p * (1 - p);
    for (let j = 0; j < k; j++) {
      gradient[j] += design[j] * residual;
      for (let l = 0; l <= j; l++) hessian[j][l] += weight * design[j] * design[l];
    }
  }
  for (let j = 0; j < k; j++) for (let l = 0; l < j; l++) hessian[l][j] = hessian[j][l];
  return { gradient, hessian };
}

/** A x = b for symmetric positive definite A, by Cholesky. */
function solveSymmetric(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const lower = a.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let diagonal = a[j][j];
    for (let l = 0; l < j; l++) diagonal -= lower[j][l] * lower[j][l];
    if (!(diagonal > 1e-12 * Math.max(1, a[j][j]))) {
      throw new RangeError(
        'the training split leaves the model unidentified (features collinear, or churn ' +
          'perfectly separated): use a ridge above 0',
      );
    }
    lower[j][j] = Math.sqrt(diagonal);
    for (let i = j + 1; i < n; i++) {
      let sum = a[i][j];
      for (let l = 0; l < j; l++) sum -= lower[i][l] * lower[j][l];
      lower[i][j] = sum / lower[j][j];
    }
  }
  const forward = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let l = 0; l < i; l++) sum -= lower[i][l] * forward[l];
    forward[i] = sum / lower[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i];
    for (let l = i + 1; l < n; l++) sum -= lower[l][i] * x[l];
    x[i] = sum / lower[i][i];
  }
  return x;
}
