import { z } from 'zod';

/** A finite number named in its messages. */
const param = (name: string) => z.number({ error: `${name} must be a finite number` });
const positive = (name: string) => param(name).gt(0, { error: `${name} must be > 0` });
const probability = (name: string) =>
  param(name)
    .gte(0, { error: `${name} must be >= 0` })
    .lte(1, { error: `${name} must be <= 1` });

const schema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('constant'), value: param('value') }),
    z
      .strictObject({ kind: z.literal('uniform'), min: param('min'), max: param('max') })
      .refine((d) => d.min < d.max, { error: 'max must be > min', path: ['max'] })
      .refine((d) => Number.isFinite(d.max - d.min), {
        error: 'max - min must be a finite number',
        path: ['max'],
      }),
    z
      .strictObject({
        kind: z.literal('uniform_int'),
        min: param('min').int({ error: 'min must be a safe integer' }),
        max: param('max').int({ error: 'max must be a safe integer' }),
      })
      .refine((d) => d.min <= d.max, { error: 'max must be >= min', path: ['max'] })
      .refine((d) => d.max - d.min < Number.MAX_SAFE_INTEGER, {
        error: 'max - min must be < 2^53 - 1',
        path: ['max'],
      }),
    z.strictObject({ kind: z.literal('normal'), mean: param('mean'), sd: positive('sd') }),
    z.strictObject({ kind: z.literal('lognormal'), mu: param('mu'), sigma: positive('sigma') }),
    z.strictObject({
      kind: z.literal('poisson'),
      lambda: param('lambda')
        .gte(0, { error: 'lambda must be >= 0' })
        .lte(1e12, { error: 'lambda must be <= 1e12' }),
    }),
    z.strictObject({ kind: z.literal('bernoulli'), p: probability('p') }),
    z.strictObject({
      kind: z.literal('geometric'),
      p: param('p').gt(0, { error: 'p must be > 0' }).lte(1, { error: 'p must be <= 1' }),
    }),
    z.strictObject({ kind: z.literal('exponential'), mean: positive('mean') }),
    z.strictObject({
      kind: z.literal('gamma'),
      shape: positive('shape'),
      scale: positive('scale'),
    }),
    z.strictObject({ kind: z.literal('beta'), a: positive('a'), b: positive('b') }),
  ],
  {
    error:
      'kind must be one of constant, uniform, uniform_int, normal, lognormal, poisson, bernoulli, geometric, exponential, gamma, beta',
  },
);

/**
 * A distribution of a column's values. `lognormal` takes the parameters of the underlying
 * normal (scipy's lognorm(s=sigma, scale=exp(mu))); `geometric` counts trials up to and
 * including the first success (k >= 1, scipy's geom); `uniform` is [min, max), `uniform_int`
 * [min, max].
 */
export type Distribution = z.infer<typeof schema>;

export const DistributionSchema: z.ZodType<Distribution> = schema;

/** The distribution if valid; otherwise throws, naming every bad parameter. */
export function parseDistribution(value: unknown): Distribution {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => issue.message);
  throw new RangeError(`invalid distribution: ${messages.join('; ')}`);
}

/** The distribution's exact mean. */
export function meanOf(distribution: Distribution): number {
  const d = parseDistribution(distribution);
  switch (d.kind) {
    case 'constant':
      return d.value;
    case 'uniform':
    case 'uniform_int':
      return d.min / 2 + d.max / 2;
    case 'normal':
      return d.mean;
    case 'lognormal':
      return Math.exp(d.mu + (d.sigma * d.sigma) / 2);
    case 'poisson':
      return d.lambda;
    case 'bernoulli':
      return d.p;
    case 'geometric':
      return 1 / d.p;
    case 'exponential':
      return d.mean;
    case 'gamma':
      return d.shape * d.scale;
    case 'beta':
      return d.a / (d.a + d.b);
  }
}
