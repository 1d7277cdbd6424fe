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
  /** Its password; REFINERY_DB_PASSWORD_READONLY when unset. Trust authentication needs none. */
  QUALITY_READONLY_PASSWORD: z.string().min(1).optional(),
  /**
   * The schemas cleansing may change (and preview), comma-separated; none by default, which
   * turns cleansing off. The monitor's own schema and auth are refused even when listed.
   */
  QUALITY_CLEANSE_SCHEMAS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((schema) => schema.trim())
        .filter((schema) => schema !== ''),
    ),
};

export type RulesConfig = z.infer<z.ZodObject<typeof RULES_CONFIG>> & { QUALITY_TENANT?: string };
export const RULES_SETTINGS = Symbol('RULES_SETTINGS');
