import { escapeIdentifier as ident } from 'pg';

import type { DeleteRule, PartitionRule } from './retention-rule';

/**
 * One batch of a delete rule: at most `limit` rows past the cutoff ($1, a timestamptz, which a
 * date column is compared with at the session's time zone) and its conditions go,
 * with their rows in the cascade tables; returns `deleted` and `cascaded_<i>` counts. The rows
 * are picked by ctid, and the conditions are checked again on the row deleted, so a row that
 * changed meanwhile (a record claimed again, say) is checked as it is now.
 */
export function deleteBatchSql(
  rule: Pick<DeleteRule, 'table' | 'column' | 'where' | 'cascade'>,
  limit: number,
): string {
  const table = ident(rule.table);
  const due = `t.${ident(rule.column)} < $1::timestamptz${rule.where ? ` AND (${rule.where})` : ''}`;
  const cascade = rule.cascade ?? [];
  const returned = [...new Set(cascade.flatMap((d) => Object.values(d.on)))];
  const ctes = [
    `gone AS (
      DELETE FROM ${table} t
       WHERE t.ctid = ANY (ARRAY(SELECT t.ctid FROM ${table} t WHERE ${due} LIMIT ${limit}))
         AND ${due}
      RETURNING ${returned.length > 0 ? returned.map((c) => `t.${ident(c)}`).join(', ') : '1'})`,
    ...cascade.map(
      (d, i) => `cascaded_${i} AS (
      DELETE FROM ${ident(d.table)} d USING gone
       WHERE ${Object.entries(d.on)
         .map(([theirs, ours]) => `d.${ident(theirs)} = gone.${ident(ours)}`)
         .join(' AND ')}
      RETURNING 1)`,
    ),
  ];
  const counts = [
    `(SELECT count(*) FROM gone)::int AS deleted`,
    ...cascade.map((_, i) => `(SELECT count(*) FROM cascaded_${i})::int AS cascaded_${i}`),
  ];
  return `WITH ${ctes.join(',\n    ')}\n    SELECT ${counts.join(', ')}`;
}

/** The cutoff: now less `days` days, as the database tells the time. */
export const CUTOFF_SQL = `SELECT now() - make_interval(days => $1::int) AS cutoff`;

/**
 * The partitions of `$1` (a table name): name, whether it is the default one, the upper bound
 * of its range, and its row count as last analyzed (-1 if never).
 */
export const PARTITIONS_SQL = `
  SELECT c.relname AS name, c.relpartbound IS NOT NULL
           AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']*)''\\)'))[1]::timestamptz
           AS upper,
         c.reltuples::float8 AS reltuples
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = to_regclass($1)
   ORDER BY 3 NULLS LAST`;

/**
 * The periods to have a partition for, from the current one to `$1` ahead: each one's start,
 * end and name suffix, in UTC.
 */
export function periodsSql(every: PartitionRule['partitions']['every']): string {
  const [unit, format] = every === 'month' ? ['months', 'YYYY_MM'] : ['days', 'YYYY_MM_DD'];
  // Counted on UTC wall-clock time, so that a month is a calendar month whatever the session's zone.
  return `
    SELECT p.start AT TIME ZONE 'UTC' AS start_at,
           (p.start + make_interval(${unit} => 1)) AT TIME ZONE 'UTC' AS end_at,
           to_char(p.start, '${format}') AS suffix
      FROM (SELECT date_trunc('${every}', now() AT TIME ZONE 'UTC') + make_interval(${unit} => k) AS start
              FROM generate_series(0, $1::int) k) p
     ORDER BY p.start`;
}
