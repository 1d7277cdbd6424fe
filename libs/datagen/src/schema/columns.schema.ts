import { z } from 'zod';
import { DistributionSchema } from '../random';
import { ColumnModifierSchema } from './modifiers.schema';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: a-z, 0-9 and "_"');
export const IdentifierSchema = name;

/** When a column is null instead of generated: a share of rows, drawn from its own stream. */
const common = {
  null_rate: z.number().min(0).max(1).optional(),
  modifiers: z.array(ColumnModifierSchema).optional(),
  /** Kept out of anything published: the planted truth a consumer should not see. */
  truth: z.boolean().optional(),
};

/** Numbers are rounded to `round` decimals (0 for integers) and clamped after modifiers. */
const numeric = {
  round: z.number().int().min(0).max(12).optional(),
  clamp: z.tuple([z.number(), z.number()]).optional(),
  ...common,
};

export const ColumnSchema = z.discriminatedUnion('gen', [
  z.strictObject({
    gen: z.literal('sequence'),
    start: z.number().int().optional(),
    step: z
      .number()
      .int()
      .refine((n) => n !== 0, 'must not be 0')
      .optional(),
    /** `prefix` and `pad` make a string key such as `C000042`. */
    prefix: z.string().max(20).optional(),
    pad: z.number().int().min(0).max(20).optional(),
    ...common,
  }),
  z.strictObject({ gen: z.literal('uuid'), ...common }),
  // Shorthands for the common kinds; `distribution` takes any kind of ../random.
  z.strictObject({ gen: z.literal('uniform'), min: z.number(), max: z.number(), ...numeric }),
  z.strictObject({ gen: z.literal('normal'), mean: z.number(), sd: z.number(), ...numeric }),
  z.strictObject({ gen: z.literal('lognormal'), mu: z.number(), sigma: z.number(), ...numeric }),
  z.strictObject({ gen: z.literal('poisson'), lambda: z.number(), ...numeric }),
  z.strictObject({ gen: z.literal('distribution'), distribution: DistributionSchema, ...numeric }),
  z.strictObject({
    gen: z.literal('categorical'),
    values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
    weights: z.array(z.number().nonnegative()).optional(),
    ...common,
  }),
  z.strictObject({
    gen: z.literal('date'),
    /** ISO 8601 bounds; default: the horizon, or the parent row's active window. */
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }).optional(),
    /** A time after another column (this row's or an ancestor's), by a delay in days. */
    after: z.string().optional(),
    delay_days: DistributionSchema.optional(),
    ...common,
  }),
  z.strictObject({
    gen: z.literal('derived'),
    expr: z.string().min(1).max(2000),
    type: z.enum(['string', 'integer', 'number', 'boolean', 'timestamp']).optional(),
    ...common,
  }),
  z.strictObject({
    /** Written by a node modifier (churn dates, funnel steps, variants); declared for its type. */
    gen: z.literal('modifier'),
    type: z.enum(['string', 'integer', 'number', 'boolean', 'timestamp']),
    ...common,
  }),
  z.strictObject({
    gen: z.literal('ref'),
    /** The node whose primary key this column holds. */
    node: name,
    ...common,
  }),
  z.strictObject({
    gen: z.enum([
      'first_name',
      'last_name',
      'full_name',
      'company',
      'street',
      'city',
      'country',
      'postcode',
      'product',
      'word',
    ]),
    ...common,
  }),
  z.strictObject({
    gen: z.literal('email'),
    /** Built from a name column when given, so the address matches the person. */
    from: z.string().optional(),
    ...common,
  }),
  z.strictObject({
    gen: z.literal('phrase'),
    /** Templates with `{column}` and `{list:<word list>}` holes, picked at random... */
    templates: z.array(z.string().min(1)).min(1).optional(),
    /** ...or per value of another column, e.g. the true label of an exception. */
    by: z.string().optional(),
    templates_by: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
    ...common,
  }),
]);
export type ColumnSpec = z.infer<typeof ColumnSchema>;
