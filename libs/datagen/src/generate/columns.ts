import type { ColumnType } from '../output';
import {
  type Distribution,
  DistributionSchema,
  pickerOf,
  samplerOf,
  streamOf,
  type Random,
} from '../random';
import type { ColumnModifier, ColumnSpec } from '../schema';
import { compileTemplate, emailOf, TEXT } from '../text/text';
import { trendFactor, trendProblem } from './curves';
import { compileExpression } from './expression';
import type { CompiledColumn, CompiledNode, RowContext, ValueOf } from './model';
import { DAY, toMs, UNIT_MS } from './time';
import { uuidAt } from './uuid';

/** What a column's compiler needs from the rest of the schema. */
export interface ColumnEnv {
  readonly seed: number;
  readonly node: CompiledNode;
  /** A column of this row (declared earlier) or of an ancestor, `segment` or `customers.segment`. */
  read(name: string): ValueOf;
  children(node: string, column: string | undefined): (row: RowContext) => unknown[];
  /** The key a `ref` column holds: an ancestor's key, or a random row of a catalog node. */
  ref(node: string, random: Random): ValueOf;
  /** Multipliers that node modifiers apply to this column's values, in modifier order. */
  valueMultipliers(column: string): Array<(row: RowContext) => number>;
  /** The categorical values a column can take, when known. */
  valuesOf(name: string): readonly unknown[] | undefined;
  /** Adds a section to the truth file, filled in when the run ends. */
  report(key: string, truth: () => unknown): void;
}

const NUMERIC_GENS = new Set(['uniform', 'normal', 'lognormal', 'poisson', 'distribution']);

export function distributionOf(spec: ColumnSpec): Distribution {
  if (spec.gen === 'distribution') return spec.distribution;
  const {
    gen,
    round: _r,
    clamp: _c,
    null_rate: _n,
    modifiers: _m,
    truth: _t,
    ...params
  } = spec as Extract<ColumnSpec, { gen: 'uniform' | 'normal' | 'lognormal' | 'poisson' }>;
  const parsed = DistributionSchema.safeParse({ kind: gen, ...params });
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

/** The file type of a column; `typeOf` answers for the columns an expression copies. */
export function outputTypeOf(
  spec: ColumnSpec,
  typeOf: (name: string) => ColumnType | undefined,
): ColumnType {
  switch (spec.gen) {
    case 'sequence':
      return spec.prefix !== undefined || spec.pad !== undefined ? 'string' : 'integer';
    case 'categorical': {
      const kinds = new Set(spec.values.map((v) => typeof v));
      if (kinds.size === 1 && kinds.has('boolean')) return 'boolean';
      if (kinds.size === 1 && kinds.has('number')) {
        return spec.values.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
      }
      return 'string';
    }
    case 'date':
      return 'timestamp';
    case 'derived':
      return spec.type ?? typeOf(spec.expr.trim()) ?? 'number';
    case 'modifier':
      return spec.type;
    case 'ref':
      return typeOf(`${spec.node}.#key`) ?? 'string';
    default:
      if (NUMERIC_GENS.has(spec.gen)) {
        const s = spec as { round?: number; gen: string; distribution?: Distribution };
        const integral =
          s.gen === 'poisson' ||
          ['poisson', 'uniform_int', 'bernoulli', 'geometric'].includes(s.distribution?.kind ?? '');
        return integral || s.round === 0 ? 'integer' : 'number';
      }
      return 'string';
  }
}

/** Compiles a column's generator, its modifiers, node multipliers, clamp, rounding and nulls. */
export function compileColumn(
  column: CompiledColumn,
  env: ColumnEnv,
  horizon: readonly [number, number],
): ValueOf {
  const { spec } = column;
  const random = streamOf(env.seed, env.node.name, column.name);
  let value = baseOf(spec, column, env, random);
  for (const modifier of spec.modifiers ?? [])
    value = withModifier(value, modifier, column, env, horizon);
  const multipliers = env.valueMultipliers(column.name);
  if (multipliers.length > 0) {
    const base = value;
    value = (row) => {
      let v = Number(base(row));
      for (const m of multipliers) v *= m(row);
      return v;
    };
  }
  value = finished(value, spec, column.output.type === 'integer');
  if (spec.null_rate) {
    const nulls = streamOf(env.seed, env.node.name, column.name, '#null');
    const rate = spec.null_rate;
    const inner = value;
    // One draw per row either way, so the column's values do not shift with its null rate.
    value = (row) => (nulls.next() < rate ? null : inner(row));
  }
  return value;
}

function baseOf(spec: ColumnSpec, column: CompiledColumn, env: ColumnEnv, random: Random): ValueOf {
  switch (spec.gen) {
    case 'sequence':
      return sequenceAt(spec) as ValueOf;
    case 'uuid': {
      const path = `${env.node.name}.${column.name}`;
      return (row) => uuidAt(env.seed, path, row.index);
    }
    case 'categorical': {
      const pick = pickerFor(spec.values.length, spec.weights);
      return () => spec.values[pick(random)];
    }
    case 'date':
      return dateOf(spec, env, random);
    case 'derived':
      return compileExpression<RowContext>(spec.expr, { column: env.read, children: env.children });
    case 'ref':
      return env.ref(spec.node, random);
    case 'modifier':
      return () => null;
    case 'email': {
      const name = spec.from ? env.read(spec.from) : undefined;
      return (row) => emailOf(name ? String(name(row)) : TEXT.full_name(random), row.index, random);
    }
    case 'phrase':
      return phraseOf(spec, env, random);
    default: {
      if (NUMERIC_GENS.has(spec.gen)) {
        const sample = samplerOf(distributionOf(spec));
        return () => sample(random);
      }
      const text = TEXT[spec.gen];
      return () => text(random);
    }
  }
}

const pickerFor = (n: number, weights: readonly number[] | undefined) => {
  if (weights && weights.length !== n) {
    throw new Error(`weights has ${weights.length} entries for ${n} values`);
  }
  return pickerOf(weights ?? new Array(n).fill(1));
};

/** The key of row `index` without generating the row: catalogs are looked up this way. */
export function sequenceAt(spec: Extract<ColumnSpec, { gen: 'sequence' }>) {
  const start = spec.start ?? 1;
  const step = spec.step ?? 1;
  if (spec.prefix === undefined && spec.pad === undefined)
    return (row: { index: number }) => start + row.index * step;
  const prefix = spec.prefix ?? '';
  const pad = spec.pad ?? 0;
  return (row: { index: number }) =>
    `${prefix}${String(start + row.index * step).padStart(pad, '0')}`;
}

function dateOf(
  spec: Extract<ColumnSpec, { gen: 'date' }>,
  env: ColumnEnv,
  random: Random,
): ValueOf {
  if (spec.after !== undefined) {
    const base = env.read(spec.after);
    const delay = spec.delay_days ? samplerOf(spec.delay_days) : () => 0;
    return (row) => {
      const from = base(row);
      const days = delay(random);
      return from === null || from === undefined ? null : Math.round(Number(from) + days * DAY);
    };
  }
  const fixedStart = spec.start === undefined ? undefined : toMs(spec.start);
  const fixedEnd = spec.end === undefined ? undefined : toMs(spec.end);
  return (row) => {
    const start = fixedStart ?? row.slot[0];
    const end = fixedEnd ?? row.slot[1];
    return end > start ? Math.floor(start + random.next() * (end - start)) : start;
  };
}

function phraseOf(
  spec: Extract<ColumnSpec, { gen: 'phrase' }>,
  env: ColumnEnv,
  random: Random,
): ValueOf {
  const compile = (template: string) => compileTemplate(template, env.read as never);
  if (spec.by !== undefined) {
    if (!spec.templates_by) throw new Error('`by` needs `templates_by`: templates per value');
    const by = env.read(spec.by);
    const sets = new Map(
      Object.entries(spec.templates_by).map(([key, list]) => [key, list.map(compile)]),
    );
    const fallback = (spec.templates ?? []).map(compile);
    return (row) => {
      const set = sets.get(String(by(row))) ?? fallback;
      if (set.length === 0) return null;
      return set[Math.floor(random.next() * set.length)](row, random);
    };
  }
  if (!spec.templates) throw new Error('a phrase needs `templates` or `by` with `templates_by`');
  const set = spec.templates.map(compile);
  return (row) => set[Math.floor(random.next() * set.length)](row, random);
}

function withModifier(
  value: ValueOf,
  modifier: ColumnModifier,
  column: CompiledColumn,
  env: ColumnEnv,
  horizon: readonly [number, number],
): ValueOf {
  if (modifier.type === 'trend') {
    const time = env.read(modifier.time_column);
    env.report(`${env.node.name}.${column.name}`, () => ({
      modifier: 'trend',
      formula: { exponential: 'v·(1+r)^t', linear: 'v·(1+r·t)', logarithmic: 'v·(1+r·ln(1+t))' }[
        modifier.kind
      ],
      ...modifier,
    }));
    const origin = modifier.origin ? toMs(modifier.origin) : horizon[0];
    const unit = UNIT_MS[modifier.unit];
    const problem = trendProblem(modifier.kind, modifier.rate, (horizon[1] - origin) / unit);
    if (problem) throw new Error(`trend: ${problem}`);
    return (row) => {
      const v = value(row);
      const t = (Number(time(row)) - origin) / unit;
      return v === null ? null : Number(v) * trendFactor(modifier.kind, modifier.rate, t);
    };
  }
  const labels = modifier.labels ?? (env.valuesOf(column.name) as string[] | undefined);
  if (!labels) throw new Error('label_noise needs `labels` unless the column is categorical');
  const noise = streamOf(env.seed, env.node.name, column.name, '#label_noise');
  const confusion = new Map<string, number>();
  let rows = 0;
  let flips = 0;
  env.report(`${env.node.name}.${column.name}`, () => ({
    modifier: 'label_noise',
    planted_rate: modifier.rate,
    rows,
    flipped: flips,
    observed_rate: rows === 0 ? null : flips / rows,
    // "true -> observed": counts of each pair, flips included.
    confusion: Object.fromEntries([...confusion.entries()].sort()),
  }));
  return (row) => {
    const v = value(row);
    const flip = noise.next() < modifier.rate;
    const other = noise.next();
    const others = flip ? labels.filter((label) => label !== v) : [];
    const out = flip ? others[Math.floor(other * others.length)] : v;
    rows++;
    if (flip) flips++;
    const pair = `${v} -> ${out}`;
    confusion.set(pair, (confusion.get(pair) ?? 0) + 1);
    return out;
  };
}

function finished(value: ValueOf, spec: ColumnSpec, integer: boolean): ValueOf {
  const s = spec as { clamp?: [number, number]; round?: number };
  const [lo, hi] = s.clamp ?? [-Infinity, Infinity];
  const digits = s.round ?? (integer ? 0 : undefined);
  if (s.clamp === undefined && digits === undefined) return value;
  const factor = 10 ** (digits ?? 0);
  return (row) => {
    const v = value(row);
    if (typeof v !== 'number') return v;
    const clamped = Math.min(hi, Math.max(lo, v));
    return digits === undefined ? clamped : Math.round(clamped * factor) / factor;
  };
}
