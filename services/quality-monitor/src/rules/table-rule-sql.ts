import { escapeIdentifier as ident } from 'pg';
import type { Query } from '../read-only/read-only-database';
import { splitReference, splitTable } from '../read-only/sql-names';
import type { TableRule } from './rule-definition';
import {
  describeTable,
  unknownColumn,
  unknownTable,
  type TableInfo,
} from '../read-only/catalog.repository';

/** A rule that cannot run as written; `path` is the field of the rule at fault. */
export class CheckError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TableCheck {
  table: TableInfo;
  /** The rule's column, quoted and qualified by the alias `t`. */
  column: string;
  /** The id of a row, as text, or NULL when the table has no primary key to name rows by. */
  id: string;
  /** Failing rows are listed in this order: by id, else by value. */
  order: string;
  /** True for a failing row of `t`. */
  condition: string;
  params: unknown[];
}

/** The SQL of a built-in rule, after checking every name it uses against the catalog. */
export async function planTableCheck(
  query: Query,
  rule: TableRule,
  role: string,
): Promise<TableCheck> {
  const [schema, name] = splitTable(rule.table);
  const table = await describeTable(query, schema, name);
  if (!table) throw new CheckError('table', unknownTable(rule.table, role));
  const columnOf = (path: string, column: string) => {
    if (!table.columns.has(column)) throw new CheckError(path, unknownColumn(table, column));
    return `t.${ident(column)}`;
  };
  const c = columnOf('column', rule.column);
  const idColumn = rule.id_column ?? table.primaryKey;
  const order = idColumn ? columnOf('id_column', idColumn) : c;
  const id = idColumn ? `${order}::text` : 'NULL::text';
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const bare = ident(rule.column);

  let condition: string;
  switch (rule.type) {
    case 'not_null':
      condition = `${c} IS NULL`;
      break;
    case 'range':
      condition = [
        rule.min === undefined ? undefined : `${c} < ${param(rule.min)}`,
        rule.max === undefined ? undefined : `${c} > ${param(rule.max)}`,
      ]
        .filter((part) => part !== undefined)
        .join(' OR ');
      break;
    case 'regex':
      condition = `${c}::text !~ ${param(rule.pattern)}`;
      break;
    case 'accepted_values':
      condition = `NOT (${c} = ANY(${param(rule.values)}))`;
      break;
    case 'unique':
      condition = `${c} IN (SELECT d.${bare} FROM ${table.sql} AS d WHERE d.${bare} IS NOT NULL
                             GROUP BY d.${bare} HAVING count(*) > 1)`;
      break;
    case 'foreign_key': {
      const [refSchema, refName, refColumn] = splitReference(rule.references);
      const ref = await describeTable(query, refSchema, refName);
      if (!ref) throw new CheckError('references', unknownTable(`${refSchema}.${refName}`, role));
      if (!ref.columns.has(refColumn))
        throw new CheckError('references', unknownColumn(ref, refColumn));
      condition = `${c} IS NOT NULL AND NOT EXISTS (
                     SELECT 1 FROM ${ref.sql} AS r WHERE r.${ident(refColumn)} = ${c})`;
      break;
    }
  }
  return { table, column: c, id, order, condition, params };
}

/** Which field to blame when Postgres refuses the check's SQL. */
export function blamedField(rule: TableRule): string {
  switch (rule.type) {
    case 'range':
      return rule.min === undefined ? 'max' : 'min';
    case 'regex':
      return 'pattern';
    case 'accepted_values':
      return 'values';
    case 'foreign_key':
      return 'references';
    default:
      return 'column';
  }
}
