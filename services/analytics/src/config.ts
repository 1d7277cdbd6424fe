import { z } from 'zod';
import { TenantSlugSchema } from '@refinery/contracts';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

export const AnalyticsConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3007),
  /** How often mv_cohort_retention is refreshed; 0 turns the schedule off. */
  ANALYTICS_REFRESH_INTERVAL: durationVar.default(parseDurations('5m')[0]),
  /** Follow one tenant only, under consumers of its own: dedicated instances, isolated tests. */
  ANALYTICS_TENANT: TenantSlugSchema.optional(),
});
export type AnalyticsConfig = z.infer<typeof AnalyticsConfigSchema>;
export const ANALYTICS_CONFIG = Symbol('ANALYTICS_CONFIG');
