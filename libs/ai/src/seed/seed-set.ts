import {
  ACTIONS,
  AI_LABELS,
  PROBLEM_CODES,
  type Action,
  type AiLabel,
  type ProblemCode,
} from '@refinery/contracts';
import type { RecordInput } from '../provider';
import { generateException } from './exception-generator';
import { actionFor, automatableFor, labelFor } from './labelling-rules';
import { generateOrder } from './order-generator';
import { Rng } from './prng';
import type { GeneratedRecord } from './scenarios';

/** One labelled record: what a careful (but human, so sometimes wrong) labeller decided. */
export interface SeedExample {
  record: RecordInput;
  /** Problems present; `['NONE']` when nothing is wrong. */
  problems: ProblemCode[];
  label: AiLabel;
  action: Action;
  automatable: boolean;
}

export interface SeedSetOptions {
  seed: number;
  size: number;
  /** Share of orders among the records; the rest are delivery exceptions. */
  orderShare?: number;
  /** Share of records whose label (and, independently, action) a labeller got wrong. */
  labelNoise?: number;
}

export const DEFAULT_SEED_SET: Required<SeedSetOptions> = {
  seed: 20_250_101,
  size: 6000,
  orderShare: 0.4,
  labelNoise: 0.05,
};

const TENANTS = ['acme', 'northwind', 'globex'];
const REAL_PROBLEMS = PROBLEM_CODES.filter((code) => code !== 'NONE');

/** Deterministic: the same options always give the same examples, in the same order. */
export function generateSeedSet(options: SeedSetOptions): SeedExample[] {
  const { seed, size, orderShare, labelNoise } = { ...DEFAULT_SEED_SET, ...options };
  const rng = new Rng(seed);
  const examples: SeedExample[] = [];
  for (let i = 0; i < size; i++) {
    const isOrder = rng.chance(orderShare);
    const generated = isOrder ? generateOrder(rng, i) : generateException(rng, i);
    examples.push(labelExample(generated, rng, labelNoise, recordIdOf('seed', seed, i)));
  }
  return examples;
}

/** Ids that stay unique across sets: the set's kind, its seed and the position in it. */
export function recordIdOf(kind: string, seed: number, index: number): string {
  return `${kind}-${seed.toString(16)}-${index.toString(16).padStart(5, '0')}`;
}

/** Labels a generated record by the rules, then lets a share of `noise` of the labels slip. */
export function labelExample(
  { payload, facts }: GeneratedRecord,
  rng: Rng,
  noise: number,
  recordId: string,
): SeedExample {
  const trueLabel = labelFor(facts);
  const trueAction = actionFor(facts, trueLabel);
  let problems = [...facts.problems];
  // Labellers also miss a problem or see one that is not there, a little less often.
  if (rng.chance(noise * 0.6)) {
    problems =
      problems.length > 0 && rng.chance(0.5)
        ? problems.slice(1)
        : [...new Set([...problems, rng.pick(REAL_PROBLEMS)])];
  }
  const labelled = rng.chance(noise) ? other(AI_LABELS, trueLabel, rng) : trueLabel;
  const action = rng.chance(noise) ? other(ACTIONS, trueAction, rng) : trueAction;
  return {
    record: {
      recordId,
      tenant: rng.pick(TENANTS),
      recordType: facts.recordType,
      payload,
    },
    problems: problems.length > 0 ? sortProblems(problems) : ['NONE'],
    label: labelled,
    action,
    automatable: automatableFor(facts, action),
  };
}

function sortProblems(problems: ProblemCode[]): ProblemCode[] {
  return [...problems].sort((a, b) => PROBLEM_CODES.indexOf(a) - PROBLEM_CODES.indexOf(b));
}

function other<T>(values: readonly T[], not: T, rng: Rng): T {
  return rng.pick(values.filter((value) => value !== not));
}
