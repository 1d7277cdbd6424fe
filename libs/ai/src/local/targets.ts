import type { ProblemCode } from '@refinery/contracts';
import { DETECTABLE_PROBLEMS } from './local-model';

/** A target row: 1 at each given index. */
export function oneHot(size: number, at: readonly number[]): Float64Array {
  const row = new Float64Array(size);
  for (const i of at) row[i] = 1;
  return row;
}

/** The one-vs-rest target of the problem model; NONE is no code at all. */
export function problemTargets(problems: readonly ProblemCode[]): Float64Array {
  const at = problems
    .map((code) => (DETECTABLE_PROBLEMS as readonly string[]).indexOf(code))
    .filter((i) => i >= 0);
  return oneHot(DETECTABLE_PROBLEMS.length, at);
}
