import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '@refinery/runtime';
import { DatabaseError } from 'pg';
import { badField } from '@refinery/runtime';
import { countRows, describeTable, planOf, unknownTable } from '../read-only/catalog.repository';
import { OFF_LIMITS_SCHEMAS, offLimits, offLimitsRelationIn } from '../read-only/off-limits';
import { isTimeout, ReadOnlyDatabase, type Query } from '../read-only/read-only-database';
import { splitTable } from '../read-only/sql-names';
import { isPayloadRule, type Rule, type StoredRule } from './rule-definition';
import { RULES_SETTINGS, type RulesConfig } from '../rules-config';
import { outcomeOf, summaryOf, type RuleOutcome, type RuleResult } from './rule-result';
import {
  customFailing,
  failingCount,
  customRelation,
  tableCounts,
  tableFailing,
  tryPattern,
} from './rule-checks.repository';
import { checkReadOnlySql } from '../read-only/sql-guard';
import { blamedField, CheckError, planTableCheck } from './table-rule-sql';

type CustomRule = Extract<Rule, { type: 'custom_sql' }>;

/** Runs rules against other services' tables, through the read-only role. */
@Injectable()
export class RuleChecks {
  constructor(
    private readonly db: ReadOnlyDatabase,
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
  ) {}

  /** Never throws: a rule that cannot run fails, with the reason in exception_info. */
  async run(rule: StoredRule): Promise<RuleResult> {
    try {
      const result =
        rule.type === 'custom_sql' ? await this.custom(rule) : await this.builtIn(rule);
      return { success: result.unexpected_count === 0, rule: summaryOf(rule), result };
    } catch (error) {
      return {
        success: false,
        rule: summaryOf(rule),
        result: null,
        exception_info: { raised_exception: true, exception_message: this.describe(error, rule) },
      };
    }
  }

  /** Refuses, with a 400 naming the field, a rule that could not run as written. */
  async validate(rule: Rule): Promise<void> {
    if (isPayloadRule(rule)) return;
    try {
      if (rule.type === 'custom_sql') {
        const sql = this.guard(rule);
        await this.db.read(this.config.QUALITY_CUSTOM_SQL_TIMEOUT_MS, async (query) => {
          if (rule.table) await this.countRows(query, rule.table);
          await this.explain(query, 'sql', customRelation(sql), []);
        });
        return;
      }
      await this.db.read(this.config.QUALITY_QUERY_TIMEOUT_MS, async (query) => {
        const plan = await planTableCheck(query, rule, this.config.QUALITY_READONLY_USER);
        if (rule.type === 'regex') await blame('pattern', () => tryPattern(query, rule.pattern));
        await this.explain(query, blamedField(rule), failingCount(plan), plan.params);
      });
    } catch (error) {
      if (error instanceof CheckError) throw badField(error.path, error.message);
      throw error;
    }
  }

  private async builtIn(rule: Exclude<StoredRule, CustomRule>): Promise<RuleOutcome> {
    return this.db.read(this.config.QUALITY_QUERY_TIMEOUT_MS, async (query) => {
      const check = await planTableCheck(query, rule, this.config.QUALITY_READONLY_USER);
      const counts = await tableCounts(query, check);
      return outcomeOf(rule.type, counts, await tableFailing(query, check));
    });
  }

  /** The query returns the failing rows; an `id` column among them names them. */
  private async custom(rule: CustomRule): Promise<RuleOutcome> {
    const sql = this.guard(rule);
    return this.db.read(this.config.QUALITY_CUSTOM_SQL_TIMEOUT_MS, async (query) => {
      // What a view reads can change after the rule was accepted.
      await this.explain(query, 'sql', customRelation(sql), []);
      const { rows, total } = await customFailing(query, sql);
      const elements = rule.table ? await this.countRows(query, rule.table) : null;
      const failing = rows.map((row) => ({
        id: row.id === undefined || row.id === null ? null : String(row.id),
        value: row,
      }));
      return outcomeOf(
        'custom_sql',
        { element_count: elements, missing_count: null, unexpected_count: total },
        failing,
      );
    });
  }

  private guard(rule: CustomRule): string {
    const check = checkReadOnlySql(rule.sql, OFF_LIMITS_SCHEMAS);
    if (check.ok) return check.sql;
    if (check.offLimits) throw offLimits(check.offLimits.schema, check.offLimits.relation, 'sql');
    throw new CheckError('sql', check.problem);
  }

  private async countRows(query: Query, name: string): Promise<number> {
    const [schema, table] = splitTable(name);
    const info = await describeTable(query, schema, table);
    if (!info) throw new CheckError('table', unknownTable(name, this.config.QUALITY_READONLY_USER));
    return countRows(query, info);
  }

  /** Plans the statement and blames `path` for what Postgres refuses, or for a relation off limits. */
  private async explain(query: Query, path: string, sql: string, params: unknown[]) {
    const read = offLimitsRelationIn(await blame(path, () => planOf(query, sql, params)));
    if (read) throw offLimits(read.schema, read.relation, path);
  }

  private describe(error: unknown, rule: StoredRule): string {
    if (isTimeout(error)) {
      const ms =
        rule.type === 'custom_sql'
          ? this.config.QUALITY_CUSTOM_SQL_TIMEOUT_MS
          : this.config.QUALITY_QUERY_TIMEOUT_MS;
      return `canceled: the query ran longer than the ${ms} ms statement timeout`;
    }
    if (error instanceof CheckError) return `${error.path}: ${error.message}`;
    if (error instanceof ProblemException) return error.problem.detail ?? error.message;
    return error instanceof Error ? error.message : String(error);
  }
}

/** What Postgres refuses in `work` (a timeout aside) is the fault of the rule's field `path`. */
async function blame<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseError && !isTimeout(error))
      throw new CheckError(path, `Postgres refuses it: ${error.message}`);
    throw error;
  }
}
