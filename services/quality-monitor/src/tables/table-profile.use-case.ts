import { Inject, Injectable } from '@nestjs/common';
import { completenessOf } from './completeness.repository';
import { notFound } from '@refinery/runtime';
import { ReadOnlyDatabase } from '../read-only/read-only-database';
import type { ForeignKeyRule, TableName } from './tables.command';
import { RuleChecks } from '../rules/rule-checks';
import { RULES_SETTINGS, type RulesConfig } from '../rules-config';
import { describeTable, refuseOffLimitsTable, unknownTable } from '../read-only/catalog.repository';

/** Ad hoc looks at a table: how complete each column is, which rows point nowhere. */
@Injectable()
export class TableProfileUseCase {
  constructor(
    private readonly db: ReadOnlyDatabase,
    private readonly checks: RuleChecks,
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
  ) {}

  completeness({ schema, table }: TableName) {
    return this.db.read(this.config.QUALITY_QUERY_TIMEOUT_MS, async (query) => {
      const info = await describeTable(query, schema, table);
      if (!info)
        throw notFound(unknownTable(`${schema}.${table}`, this.config.QUALITY_READONLY_USER));
      await refuseOffLimitsTable(query, info);
      return completenessOf(query, info);
    });
  }

  /** A foreign_key rule run once, without being stored. */
  async orphans(rule: ForeignKeyRule) {
    await this.checks.validate(rule);
    const now = new Date().toISOString();
    const id = '00000000-0000-0000-0000-000000000000';
    const result = await this.checks.run({ ...rule, id, created_at: now, updated_at: now });
    const { rule: _rule, ...outcome } = result;
    return { table: rule.table, column: rule.column, references: rule.references, ...outcome };
  }
}
