import { READONLY_ROLE } from '@refinery/persistence';
import { durationVar, parseDurations } from '@refinery/runtime';
import { z } from 'zod';

const millis = z.coerce.number().int().min(1);

/** The rules engine's settings, part of the service's configuration. */
export const RULES_CONFIG = {
  /** How often every enabled table rule runs; 0 leaves only on-demand runs. */
  QUALITY_RULES_INTERVAL: durationVar.default(parseDurations('1h')[0]),
  /** Per statement of a custom_sql rule. */
  QUALITY_CUSTOM_SQL_TIMEOUT_MS: millis.default(5_000),
  /** Per statement of the built-in checks, completeness and cleansing. */
  QUALITY_QUERY_TIMEOUT_MS: millis.default(60_000),
  /** The role the checks read other services' schemas through (see provisioning). */
  QUALITY_READONLY_USER: z.string().min(1).default(READONLY_ROLE),
};

export type RulesConfig = z.infer<z.ZodObject<typeof RULES_CONFIG>> & { QUALITY_TENANT?: string };
export const RULES_SETTINGS = Symbol('RULES_SETTINGS');
