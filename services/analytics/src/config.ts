import { z } from 'zod';
import { TenantSlugSchema } from '@refinery/contracts';
import {
  MAX_RETENTION_INTERVAL,
  retentionSettings,
  type RetentionRule,
} from '@refinery/persistence';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

/**
 * What retention removes (docs/retention.md). The design names no period for raw events; 400
 * days keeps the twelve months after a cohort's first (m0-m11 of mv_cohort_retention, the
 * lifetime-value curve) for every cohort of the past year, and the month in progress.
 */
export const ANALYTICS_RETENTION = [
  // Partitioned by month: a month goes whole once it ended 400 days ago.
  {
    table: 'events',
    column: 'occurred_at',
    setting: 'ANALYTICS_EVENTS_RETENTION_DAYS',
    days: 400,
    partitions: { every: 'month', ahead: 2, make: 'ensure_event_partition' },
  },
  // Each user's first day stays, so that a returning user keeps their cohort.
  {
    table: 'user_days',
    column: 'day',
    setting: 'ANALYTICS_USER_DAYS_RETENTION_DAYS',
    days: 400,
    where: `EXISTS (SELECT 1 FROM user_days f
                     WHERE f.tenant = t.tenant AND f.user_id = t.user_id AND f.day < t.day)`,
  },
] as const satisfies readonly RetentionRule[];

export const AnalyticsConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3007),
  /** How often mv_cohort_retention is refreshed; 0 turns the schedule off. */
  ANALYTICS_REFRESH_INTERVAL: durationVar.default(parseDurations('5m')[0]),
  /** Follow one tenant only, under consumers of its own: dedicated instances, isolated tests. */
  ANALYTICS_TENANT: TenantSlugSchema.optional(),
  /** How often rows past their retention are removed; 0 turns it off. */
  RETENTION_INTERVAL: durationVar
    .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
    .default(parseDurations('1h')[0]),
  ...retentionSettings(ANALYTICS_RETENTION),
});
export type AnalyticsConfig = z.infer<typeof AnalyticsConfigSchema>;
export const ANALYTICS_CONFIG = Symbol('ANALYTICS_CONFIG');
