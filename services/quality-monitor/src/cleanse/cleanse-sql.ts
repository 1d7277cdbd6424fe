import { escapeIdentifier as ident, escapeLiteral as literal } from 'pg';
import type { CleanseAction, ValueAction } from './cleanse.command';

const BLANKS = `E' \\t\\r\\n'`;

/**
 * What a value action makes of `v` (a qualified column). `source` is the relation the
 * column's median or mode is taken over; `type` the column's type, to cast the result back.
 */
export function valueSql(action: ValueAction, v: string, source: string, type: string): string {
  const column = ident(action.column);
  switch (action.action) {
    case 'trim':
      return `btrim(${v}, ${BLANKS})`;
    case 'standardize_email':
      return `lower(btrim(${v}, ${BLANKS}))`;
    case 'standardize_phone':
      // E.164-ish: a leading + (or 00) kept as +, then the digits alone.
      return `CASE WHEN ${v} ~ '[0-9]' THEN
                (CASE WHEN btrim(${v}) ~ '^(\\+|00)' THEN '+' ELSE '' END)
                || regexp_replace(regexp_replace(btrim(${v}), '^(\\+|00)', ''), '[^0-9]', '', 'g')
              ELSE ${v} END`;
    case 'standardize_date':
      return isoDateSql(v, action.day_first);
    case 'impute': {
      const aggregate = action.strategy === 'median' ? 'percentile_cont(0.5)' : 'mode()';
      return `COALESCE(${v}, (SELECT ${aggregate} WITHIN GROUP (ORDER BY __src.${column})
                                FROM ${source} AS __src)::${type})`;
    }
  }
}

/**
 * 2024-3-5, 2024/03/05, 05.03.2024 and 05/03/2024 become 2024-03-05. What is not a real date
 * in one of those shapes stays as it is; the nested CASEs keep make_date from ever failing.
 */
function isoDateSql(v: string, dayFirst: boolean): string {
  const [y, m, d] = dayFirst ? [3, 2, 1] : [3, 1, 2];
  return `(SELECT CASE
             WHEN __d.p IS NULL THEN ${v}
             WHEN __d.p[1] BETWEEN 1 AND 9999 AND __d.p[2] BETWEEN 1 AND 12 THEN
               CASE WHEN __d.p[3] BETWEEN 1 AND
                         extract(day FROM make_date(__d.p[1], __d.p[2], 1) + interval '1 month - 1 day')
                    THEN to_char(make_date(__d.p[1], __d.p[2], __d.p[3]), 'YYYY-MM-DD')
                    ELSE ${v} END
             ELSE ${v} END
      FROM (SELECT COALESCE(
              (regexp_match(btrim(${v}), '^(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})$'))::int[],
              (SELECT ARRAY[__m.m[${y}], __m.m[${m}], __m.m[${d}]]::int[]
                 FROM regexp_match(btrim(${v}), '^(\\d{1,2})[-/.](\\d{1,2})[-/.](\\d{4})$') AS __m(m)
                WHERE __m.m IS NOT NULL)) AS p) AS __d)`;
}

export interface CleanseTarget {
  /** Quoted `schema.table`. */
  sql: string;
  id: string;
  types: Map<string, string>;
}

const keysPresent = (alias: string, columns: string[]) =>
  columns.map((c) => `${alias}.${ident(c)} IS NOT NULL`).join(' AND ');

/** The rows, by id, that the first of their key group outlives. */
function duplicatesSql(source: string, id: string, columns: string[]): string {
  const keys = columns.map((c) => `__s.${ident(c)}`).join(', ');
  return `SELECT __d.id FROM (
            SELECT __s.${id} AS id, row_number() OVER (PARTITION BY ${keys} ORDER BY __s.${id}) AS n
              FROM ${source} AS __s WHERE ${keysPresent('__s', columns)}) AS __d
           WHERE __d.n > 1`;
}

/**
 * A read-only preview of step `k`: each action is a CTE over the one before, so the counts
 * and samples are those that applying the actions in order would produce.
 */
export function previewSql(
  target: CleanseTarget,
  actions: CleanseAction[],
  k: number,
  sample: number,
) {
  const columns = [...new Set(actions.flatMap((a) => ('columns' in a ? a.columns : [a.column])))];
  const list = (alias: string) => columns.map((c) => `${alias}.${ident(c)}`).join(', ');
  const steps = [
    `s0 AS (SELECT t.${ident(target.id)} AS __row_id, ${list('t')} FROM ${target.sql} AS t)`,
  ];
  actions.slice(0, k + 1).forEach((a, i) => {
    const prev = `s${i}`;
    if (a.action === 'deduplicate') {
      steps.push(`s${i + 1} AS (SELECT prev.* FROM ${prev} AS prev WHERE prev.__row_id NOT IN (
                    ${duplicatesSql(prev, '__row_id', a.columns)}))`);
      return;
    }
    const values = columns.map((c) =>
      c === a.column
        ? `${valueSql(a, `prev.${ident(c)}`, prev, target.types.get(c)!)} AS ${ident(c)}`
        : `prev.${ident(c)}`,
    );
    steps.push(`s${i + 1} AS (SELECT prev.__row_id, ${values.join(', ')} FROM ${prev} AS prev)`);
  });
  const action = actions[k];
  const [before, after] = [`s${k}`, `s${k + 1}`];
  const changed =
    action.action === 'deduplicate'
      ? `SELECT p.__row_id, jsonb_build_object(${action.columns
          .map((c) => `${literal(c)}, p.${ident(c)}`)
          .join(', ')}) AS before, NULL::jsonb AS after
           FROM ${before} AS p WHERE p.__row_id NOT IN (SELECT __row_id FROM ${after})`
      : `SELECT p.__row_id, to_jsonb(p.${ident(action.column)}) AS before,
                to_jsonb(n.${ident(action.column)}) AS after
           FROM ${before} AS p JOIN ${after} AS n USING (__row_id)
          WHERE p.${ident(action.column)} IS DISTINCT FROM n.${ident(action.column)}`;
  return `WITH ${steps.join(',\n')}, changed AS (${changed})
          SELECT (SELECT count(*) FROM changed) AS rows,
                 (SELECT COALESCE(json_agg(x), '[]') FROM (
                    SELECT __row_id::text AS id, before, after FROM changed
                     ORDER BY __row_id LIMIT ${sample}) AS x) AS sample`;
}

/** The statement that applies one action; it returns how many rows it changed or removed. */
export function applySql(target: CleanseTarget, action: CleanseAction): string {
  const id = ident(target.id);
  if (action.action === 'deduplicate') {
    return `WITH removed AS (
              DELETE FROM ${target.sql} AS t WHERE t.${id} IN (${duplicatesSql(target.sql, id, action.columns)})
              RETURNING 1)
            SELECT count(*) AS n FROM removed`;
  }
  const column = ident(action.column);
  const value = valueSql(action, `t.${column}`, target.sql, target.types.get(action.column)!);
  return `WITH changed AS (
            UPDATE ${target.sql} AS t SET ${column} = ${value}
             WHERE (${value}) IS DISTINCT FROM t.${column} RETURNING 1)
          SELECT count(*) AS n FROM changed`;
}
