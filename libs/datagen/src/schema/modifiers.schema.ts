import { z } from 'zod';
import { DistributionSchema } from '../random';

/** Fixed-length time units, so a rate means the same on any calendar: a month is 1/12 year. */
export const TimeUnitSchema = z.enum(['hour', 'day', 'week', 'month', 'year']);
export type TimeUnit = z.infer<typeof TimeUnitSchema>;

export const TrendKindSchema = z.enum(['exponential', 'linear', 'logarithmic']);

/** A multiplier by age in periods: an array read at min(age, last), or a parametric curve. */
export const CurveSchema = z.union([
  z.array(z.number().nonnegative()).min(1),
  z.strictObject({ kind: TrendKindSchema, rate: z.number() }),
]);
export type Curve = z.infer<typeof CurveSchema>;

export const TrendSchema = z.strictObject({
  type: z.literal('trend'),
  /** The time column (this row's or an ancestor's) that t is measured on. */
  time_column: z.string(),
  kind: TrendKindSchema,
  /** Growth per `unit`: 0.08 is 8% per month; a negative rate decays. */
  rate: z.number(),
  unit: TimeUnitSchema.default('month'),
  /** Where t = 0; default the horizon's start. */
  origin: z.iso.datetime({ offset: true }).optional(),
});
export type Trend = z.infer<typeof TrendSchema>;

export const LabelNoiseSchema = z.strictObject({
  type: z.literal('label_noise'),
  /** Share of rows whose label is replaced by another label, uniformly among the others. */
  rate: z.number().min(0).max(1),
  /** The labels to flip among; default the column's own categorical values. */
  labels: z.array(z.string()).min(2).optional(),
});

export const ColumnModifierSchema = z.discriminatedUnion('type', [TrendSchema, LabelNoiseSchema]);
export type ColumnModifier = z.infer<typeof ColumnModifierSchema>;

const multipliers = z.strictObject({
  fanout_multiplier: z.number().nonnegative().optional(),
  value_multiplier: z.number().nonnegative().optional(),
});

export const SegmentBehaviorSchema = z.strictObject({
  type: z.literal('segment_behavior'),
  /** A column of this node or of an ancestor (the segment is inherited). */
  segment_column: z.string(),
  behaviors: z.record(z.string(), multipliers),
  applies_to_columns: z.array(z.string()).default([]),
});

export const VintageBehaviorSchema = z.strictObject({
  type: z.literal('vintage_behavior'),
  /** Rows are generated period by period of the parent's life, each period's count drawn from
   * the node's fanout distribution times the fanout curve at the parent's age. */
  period: TimeUnitSchema.default('month'),
  fanout_curve: CurveSchema.optional(),
  value_curve: CurveSchema.optional(),
  applies_to_columns: z.array(z.string()).default([]),
});

export const AdoptionSchema = z.strictObject({
  type: z.literal('adoption'),
  /** Bass diffusion: innovation p and imitation q per `unit`, shaping when entities arrive. */
  column: z.string(),
  p: z.number().positive().max(1),
  q: z.number().nonnegative().max(10),
  unit: TimeUnitSchema.default('month'),
});

export const ChurnSchema = z.strictObject({
  type: z.literal('churn'),
  /** Set when the entity reaches the absorbing state; null while it is still active. */
  column: z.string(),
  /** The column the entity's life starts at. */
  start_column: z.string(),
  period: TimeUnitSchema.default('month'),
  /** A per-period hazard of churning, or a chain of states with per-period transitions. */
  hazard: z.number().min(0).max(1).optional(),
  states: z.record(z.string(), z.record(z.string(), z.number().min(0).max(1))).optional(),
  initial: z.string().optional(),
  absorbing: z.string().default('churned'),
  /** A column that receives the state at the horizon's end. */
  state_column: z.string().optional(),
});

export const FunnelSchema = z.strictObject({
  type: z.literal('funnel'),
  step_column: z.string(),
  time_column: z.string(),
  steps: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        /** Probability of reaching this step from the previous one (not for the first). */
        p: z.number().min(0).max(1).optional(),
        /** Hours after the previous step. */
        delay_hours: DistributionSchema.optional(),
      }),
    )
    .min(2),
});

export const AttributionSchema = z.strictObject({
  type: z.literal('attribution'),
  channel_column: z.string(),
  time_column: z.string(),
  /** Receives `touch` or `conversion`. */
  kind_column: z.string(),
  /** Receives the journey's number, shared by its touches and its conversion. */
  journey_column: z.string().optional(),
  channels: z.record(
    z.string(),
    z.strictObject({
      /** How often the channel is the one touched. */
      weight: z.number().positive(),
      /** Added conversion probability when the journey touched the channel. */
      contribution: z.number().min(0).max(1),
    }),
  ),
  base_rate: z.number().min(0).max(1).default(0),
  touches: DistributionSchema,
  lookback_days: z.number().positive().default(30),
});

export const ExperimentSchema = z.strictObject({
  type: z.literal('experiment'),
  name: z.string().min(1),
  variant_column: z.string(),
  converted_column: z.string(),
  /** Assignment ratio, e.g. {"control": 1, "treatment": 1}. */
  variants: z.record(z.string(), z.number().positive()),
  control: z.string(),
  baseline_rate: z.number().min(0).max(1),
  /** Relative lift of the conversion rate per non-control variant: 0.1 is +10%. */
  lift: z.record(z.string(), z.number().min(-1)),
  /** A continuous metric with the same relative lift, for Welch's t-test. */
  value_column: z.string().optional(),
  value: DistributionSchema.optional(),
  /** A planted sample-ratio mismatch: this share of one variant's exposures is lost. */
  srm: z.strictObject({ variant: z.string(), drop: z.number().min(0).max(1) }).optional(),
});

export const NodeModifierSchema = z.discriminatedUnion('type', [
  SegmentBehaviorSchema,
  VintageBehaviorSchema,
  AdoptionSchema,
  ChurnSchema,
  FunnelSchema,
  AttributionSchema,
  ExperimentSchema,
]);
export type NodeModifier = z.infer<typeof NodeModifierSchema>;
export type ModifierOf<T extends NodeModifier['type']> = Extract<NodeModifier, { type: T }>;
