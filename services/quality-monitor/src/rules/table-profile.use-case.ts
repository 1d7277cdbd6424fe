import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { completenessOf } from './completeness';
import { refuseOffLimitsPlan } from './off-limits';
import { badField, notFound, parseInput } from '../problems';
import { ReadOnlyDatabase } from './read-only-database';
import { IDENTIFIER, identifier, RuleSchema } from './rule-definition';
import { RuleChecks } from './rule-checks';
import { RULES_SETTINGS, type RulesConfig } from './rules-config';
import { describeTable, unknownTable } from './table-catalog';

const OrphansQuerySchema = z.strictObject({
  column: identifier,
  references: z.string(),
  id_column: identifier.optional(),
});

/** Ad hoc looks at a table: how complete each column is, which rows point nowhere. */
@Injectable()
export class TableProfileUseCase {
  constructor(
    private readonly db: ReadOnlyDatabase,
    private readonly checks: RuleChecks,
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
  ) {}

  completeness(schema: string, table: string) {
    this.names(schema, table);
    return this.db.read(this.config.QUALITY_QUERY_TIMEOUT_MS, async (query) => {
      const info = await describeTable(query, schema, table);
      if (!info)
        throw notFound(unknownTable(`${schema}.${table}`, this.config.QUALITY_READONLY_USER));
      await refuseOffLimitsPlan(query, `SELECT * FROM ${info.sql}`, 'table');
      return completenessOf(query, info);
    });
  }

  /** A foreign_key rule run once, without being stored. */
  async orphans(schema: string, table: string, query: unknown) {
    this.names(schema, table);
    const params = parseInput(OrphansQuerySchema, query);
    const rule = parseInput(RuleSchema, {
      name: 'orphans',
      type: 'foreign_key',
      table: `${schema}.${table}`,
      ...params,
    });
    await this.checks.validate(rule);
    const now = new Date().toISOString();
    const id = '00000000-0000-0000-0000-000000000000';
    const result = await this.checks.run({ ...rule, id, created_at: now, updated_at: now });
    const { rule: _rule, ...outcome } = result;
    return { table: rule.table, column: params.column, references: params.references, ...outcome };
  }

  private names(schema: string, table: string): void {
    if (!IDENTIFIER.test(schema)) throw badField('schema', 'must be a plain SQL name');
    if (!IDENTIFIER.test(table)) throw badField('table', 'must be a plain SQL name');
  }
}
