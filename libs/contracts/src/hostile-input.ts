import { type FieldError, formatPath } from './field-path';

/** What any input may hold at most, whatever its schema says. */
export const INPUT_LIMITS = {
  /** Objects and arrays nested in one another, the outermost one counting as 1. */
  maxDepth: 32,
  /** Keys of one object. */
  maxKeys: 10_000,
  /** Problems listed for one value; one more entry says that there are more. */
  maxErrors: 20,
} as const;

export type InputLimits = { [K in keyof typeof INPUT_LIMITS]: number };

/**
 * What a message on the bus may hold: an accepted record travels inside envelopes (event,
 * `data`, `input`, `payload`, ...), so its deepest value sits a few levels deeper than it did
 * at intake, where INPUT_LIMITS applied. A record accepted once must never be refused later.
 */
export const MESSAGE_LIMITS: InputLimits = { ...INPUT_LIMITS, maxDepth: INPUT_LIMITS.maxDepth + 8 };

/** A NUL or a surrogate: most strings have neither, and skip the closer look. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

// Node has String.prototype.isWellFormed; the workspace's TypeScript lib (ES2023) does not declare it.
const wellFormed = (s: string): boolean =>
  (s as string & { isWellFormed(): boolean }).isWellFormed();

function textProblem(s: string): string | undefined {
  if (!SUSPECT.test(s)) return undefined;
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!wellFormed(s)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return undefined;
}

/** A key on the way from the root to a value; a path is only spelled out for a problem. */
interface Step {
  parent: Step | undefined;
  key: string | number;
}

class Walk {
  readonly errors: FieldError[] = [];

  constructor(
    private readonly prefix: string,
    private readonly limits: InputLimits,
  ) {}

  /** Notes a problem; false once enough are listed, which ends the walk. */
  report(step: Step | undefined, message: string): boolean {
    const keys: (string | number)[] = [];
    for (let s = step; s; s = s.parent) keys.push(s.key);
    this.errors.push({ path: formatPath(keys.reverse(), this.prefix), message });
    return this.errors.length < this.limits.maxErrors;
  }

  /** `node` is at `depth` (1 for the outermost); recursion is bounded by maxDepth. */
  node(node: object, depth: number, step: Step | undefined): boolean {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (!this.child(node[i], depth, step, i)) return false;
      }
      return true;
    }
    const keys = Object.keys(node);
    if (keys.length > this.limits.maxKeys) {
      return this.report(
        step,
        `has ${keys.length} keys; an object may have at most ${this.limits.maxKeys}`,
      );
    }
    for (const key of keys) {
      const problem = textProblem(key);
      if (problem !== undefined && !this.report({ parent: step, key }, `key ${problem}`))
        return false;
      if (!this.child((node as Record<string, unknown>)[key], depth, step, key)) return false;
    }
    return true;
  }

  private child(value: unknown, depth: number, parent: Step | undefined, key: string | number) {
    if (typeof value === 'string') {
      const problem = textProblem(value);
      return problem === undefined || this.report({ parent, key }, problem);
    }
    if (typeof value !== 'object' || value === null) return true;
    const step = { parent, key };
    if (depth >= this.limits.maxDepth)
      return this.report(step, `nests deeper than ${this.limits.maxDepth} levels`);
    return this.node(value, depth + 1, step);
  }
}

/**
 * What no schema should be shown and no database can store: the NUL character and lone
 * surrogates in keys or strings, nesting deeper than 32 levels, objects with more than 10,000
 * keys. Walks a parsed JSON value once; it never descends past the depth limit, so no input
 * can exhaust the stack. Paths are in `validate`'s format under `prefix`; an empty list means
 * none was found.
 */
export function findHostileInput(
  value: unknown,
  prefix = '',
  limits: InputLimits = INPUT_LIMITS,
): FieldError[] {
  const walk = new Walk(prefix, limits);
  let complete: boolean;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    complete = problem === undefined || walk.report(undefined, problem);
  } else if (typeof value === 'object' && value !== null) {
    complete = walk.node(value, 1, undefined);
  } else complete = true;
  if (complete) return walk.errors;
  return [
    ...walk.errors,
    {
      path: formatPath([], prefix),
      message: `holds more problems; only the first ${limits.maxErrors} are listed`,
    },
  ];
}
