import { z } from 'zod';

export const EXAMPLE_TYPES = ['classification', 'resolution', 'order_analysis'] as const;
export type ExampleType = (typeof EXAMPLE_TYPES)[number];
export const VALIDATION_STATUSES = ['pending', 'validated', 'rejected'] as const;

const jsonObject = z.record(z.string(), z.unknown());

/** An example as a client sends it; `id` keeps the identity of an example across versions. */
export const NewExampleSchema = z.strictObject({
  id: z.uuid().optional(),
  type: z.enum(EXAMPLE_TYPES),
  input: jsonObject,
  output: jsonObject,
  labels: jsonObject.nullable().optional(),
  source_decision_id: z.string().min(1).max(200).nullable().optional(),
});
export type NewExample = z.infer<typeof NewExampleSchema>;

/** A stored version of an example, as the API shows it. */
export interface Example {
  id: string;
  hash: string;
  type: ExampleType;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown> | null;
  source_decision_id: string | null;
  quality_score: number | null;
  tier: Tier | null;
  validation_status: (typeof VALIDATION_STATUSES)[number];
  validated_by: string | null;
}

export const TIERS = ['gold', 'silver', 'bronze', 'rejected'] as const;
export type Tier = (typeof TIERS)[number];

/** The design's tiers: Gold >= 90, Silver >= 75, Bronze >= 60, below 60 rejected. */
export function tierOf(score: number): Tier {
  if (score >= 90) return 'gold';
  if (score >= 75) return 'silver';
  if (score >= 60) return 'bronze';
  return 'rejected';
}

/** The class an example teaches: the label, the action, or the sorted problem codes. */
export function classOf(type: string, output: Record<string, unknown>): string | null {
  if (type === 'classification') return typeof output.label === 'string' ? output.label : null;
  if (type === 'resolution') return typeof output.action === 'string' ? output.action : null;
  const problems = output.problems;
  if (!Array.isArray(problems) || problems.length === 0) return null;
  return problems
    .map((p) => (typeof p === 'string' ? p : (p as { code?: unknown })?.code))
    .filter((c): c is string => typeof c === 'string')
    .sort()
    .join('+');
}
