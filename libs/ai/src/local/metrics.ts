export function accuracy<T>(predicted: readonly T[], expected: readonly T[]): number {
  if (predicted.length === 0) return 0;
  let hits = 0;
  predicted.forEach((p, i) => (hits += p === expected[i] ? 1 : 0));
  return hits / predicted.length;
}

export interface MicroF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** Micro-averaged over every (record, code) pair, so frequent codes weigh more. */
export function microF1<T>(predicted: readonly T[][], expected: readonly T[][]): MicroF1 {
  let truePositives = 0;
  let predictedCount = 0;
  let expectedCount = 0;
  predicted.forEach((codes, i) => {
    const wanted = new Set(expected[i]);
    predictedCount += codes.length;
    expectedCount += wanted.size;
    for (const code of codes) if (wanted.has(code)) truePositives++;
  });
  const precision = predictedCount ? truePositives / predictedCount : 0;
  const recall = expectedCount ? truePositives / expectedCount : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
