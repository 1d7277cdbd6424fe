import { z } from 'zod';

import { assertIdentifier } from '../sql/identifiers';

/** What every rule says: which table, by which time, kept how long and under which setting. */
interface RuleBase {
  /** The table, in the service's schema. */
  readonly table: string;
  /** A row goes once this time is older than the retention; a NULL time never goes. */
  readonly column: string;
  /** The setting (environment variable) holding the retention in days; 0 keeps every row. */
  readonly setting: string;
  /** The setting's default, in days. */
  readonly days: number;
  /** Rows per DELETE statement (for a partitioned table, in its default partition). Default 1000. */
  readonly batchSize?: number;
}

/** Rows of a table past retention, deleted a batch at a time. */
export interface DeleteRule extends RuleBase {
  /** Tells two rules of one table apart in the log. */
  readonly name?: string;
  /**
   * SQL that must also hold for a row to go: `t` is the row, `$1` the cutoff (timestamptz) and
   * `$2`, `$3`… the values of the settings named in `uses`. What is still in progress stays.
   */
  readonly where?: string;
  /** Settings whose values `where` reads as `$2`, `$3`…, in this order. */
  readonly uses?: readonly string[];
  /**
   * Rows of other tables that go in the same statement as each row deleted (where no foreign
   * key does it): `on` maps each of their columns to the deleted row's column it must equal.
   */
  readonly cascade?: readonly {
    readonly table: string;
    readonly on: Readonly<Record<string, string>>;
  }[];
  readonly partitions?: undefined;
}

/**
 * A table partitioned by range of `column`: a partition whose whole range is past retention is
 * dropped, rows past it in the default partition are deleted in batches, and the partitions
 * of the next periods are made ahead.
 */
export interface PartitionRule extends RuleBase {
  readonly partitions: {
    /** The range each partition covers (in UTC). */
    readonly every: 'day' | 'month';
    /** Partitions made ahead besides the current period's. */
    readonly ahead: number;
    /**
     * A function of the schema taking a timestamptz and making the partition holding it, when
     * the table has one; otherwise the job makes `<table>_YYYY_MM` or `<table>_YYYY_MM_DD`.
     */
    readonly make?: string;
  };
}

export type RetentionRule = DeleteRule | PartitionRule;

export const isPartitionRule = (rule: RetentionRule): rule is PartitionRule =>
  rule.partitions !== undefined;

export const DEFAULT_BATCH_SIZE = 1000;
const MAX_DAYS = 36_500;
const DAYS_ERROR = `must be a whole number of days from 0 (keep every row) to ${MAX_DAYS}`;

/** A retention in days from the environment: 0 keeps every row; unset or empty, `days`. */
export const retentionDaysVar = (days: number) =>
  z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: DAYS_ERROR })
      .int({ error: DAYS_ERROR })
      .min(0, { error: DAYS_ERROR })
      .max(MAX_DAYS, { error: DAYS_ERROR })
      .default(days),
  );

/** The settings of `rules`, each a retention in days with its rule's default: for a config schema. */
export function retentionSettings<const R extends readonly RetentionRule[]>(
  rules: R,
): Record<R[number]['setting'], ReturnType<typeof retentionDaysVar>> {
  const shape: Record<string, ReturnType<typeof retentionDaysVar>> = {};
  const defaults = new Map<string, number>();
  for (const rule of rules) {
    const known = defaults.get(rule.setting);
    if (known !== undefined && known !== rule.days)
      throw new Error(`${rule.setting}: two rules give it two defaults, ${known} and ${rule.days}`);
    defaults.set(rule.setting, rule.days);
    shape[rule.setting] = retentionDaysVar(rule.days);
  }
  return shape as Record<R[number]['setting'], ReturnType<typeof retentionDaysVar>>;
}

const SETTING = /^[A-Z][A-Z0-9_]*$/;

/** Throws, naming the rule, for a name that is not a plain identifier or a size out of range. */
export function assertRules(rules: readonly RetentionRule[]): void {
  for (const rule of rules) {
    const what = `retention rule for ${rule.table}`;
    assertIdentifier(rule.table, `${what}: table`);
    assertIdentifier(rule.column, `${what}: column`);
    for (const setting of [rule.setting, ...(isPartitionRule(rule) ? [] : (rule.uses ?? []))])
      if (!SETTING.test(setting)) throw new Error(`${what}: "${setting}" is not a setting name`);
    if (!Number.isInteger(rule.batchSize ?? DEFAULT_BATCH_SIZE) || (rule.batchSize ?? 1) < 1)
      throw new Error(`${what}: batchSize must be a whole number from 1`);
    if (isPartitionRule(rule)) {
      if (rule.partitions.make !== undefined)
        assertIdentifier(rule.partitions.make, `${what}: partition function`);
      if (!Number.isInteger(rule.partitions.ahead) || rule.partitions.ahead < 0)
        throw new Error(`${what}: partitions.ahead must be a whole number from 0`);
    } else {
      for (const dependent of rule.cascade ?? []) {
        assertIdentifier(dependent.table, `${what}: cascade table`);
        if (Object.keys(dependent.on).length === 0)
          throw new Error(`${what}: cascade to ${dependent.table} matches no column`);
        for (const [theirs, ours] of Object.entries(dependent.on)) {
          assertIdentifier(theirs, `${what}: cascade column`);
          assertIdentifier(ours, `${what}: cascade column`);
        }
      }
    }
  }
}
