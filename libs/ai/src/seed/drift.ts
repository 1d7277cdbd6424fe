import { DRIFTED_VOCABULARY } from './drifted-exception-phrases';
import { generateException } from './exception-generator';
import { EXCEPTION_VOCABULARY } from './exception-phrases';
import { Rng } from './prng';
import { labelExample, recordIdOf, type SeedExample } from './seed-set';

export interface DriftOptions {
  seed: number;
  size: number;
  /** Share of records written in the drifted phrasing, in [0, 1]; the rest as the seed set. */
  drift?: number;
}

/**
 * Delivery exceptions whose phrasing has drifted away from what the shipped model was trained
 * on, labelled by the same rules and without label noise: the truth to measure a model by.
 * Deterministic per seed, like the seed set.
 */
export function generateDriftedExceptions({ seed, size, drift = 1 }: DriftOptions): SeedExample[] {
  if (!(drift >= 0 && drift <= 1)) throw new RangeError(`drift must be in [0, 1], got ${drift}`);
  const rng = new Rng(seed);
  const examples: SeedExample[] = [];
  for (let i = 0; i < size; i++) {
    const words = rng.chance(drift) ? DRIFTED_VOCABULARY : EXCEPTION_VOCABULARY;
    examples.push(
      labelExample(generateException(rng, i, words), rng, 0, recordIdOf('drift', seed, i)),
    );
  }
  return examples;
}
