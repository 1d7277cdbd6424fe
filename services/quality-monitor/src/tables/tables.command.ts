import { z } from 'zod';
import { RuleSchema, type Rule } from '../rules/rule-definition';
import { IDENTIFIER, identifier } from '../read-only/sql-names';
import { badField, parseInput } from '@refinery/runtime';

const OrphansQuerySchema = z.strictObject({
  column: identifier,
  references: z.string(),
  id_column: identifier.optional(),
});

/** `:schema/:table` of a route: plain SQL names. */
export interface TableName {
  schema: string;
  table: string;
}

export function tableNameOf(schema: string, table: string): TableName {
  if (!IDENTIFIER.test(schema)) throw badField('schema', 'must be a plain SQL name');
  if (!IDENTIFIER.test(table)) throw badField('table', 'must be a plain SQL name');
  return { schema, table };
}

export type ForeignKeyRule = Extract<Rule, { type: 'foreign_key' }>;

/** `GET orphans/:schema/:table?column=&references=`: a foreign_key rule, not stored. */
export function orphansRuleOf(schema: string, table: string, query: unknown): ForeignKeyRule {
  const name = tableNameOf(schema, table);
  const params = parseInput(OrphansQuerySchema, query);
  return parseInput(RuleSchema, {
    name: 'orphans',
    type: 'foreign_key',
    table: `${name.schema}.${name.table}`,
    ...params,
  }) as ForeignKeyRule;
}
