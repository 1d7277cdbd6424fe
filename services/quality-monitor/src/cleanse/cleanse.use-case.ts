import { Inject, Injectable } from '@nestjs/common';
import { problemFor, ProblemException } from '@refinery/runtime';
import type { CleanseTarget } from './cleanse-sql';
import type { CleanseAction, CleanseRequest } from './cleanse.command';
import { CleanseRepository, previewStep } from './cleanse.repository';
import { badField, notFound } from '@refinery/runtime';
import { isOffLimits } from '../read-only/off-limits';
import { ReadOnlyDatabase } from '../read-only/read-only-database';
import { splitTable } from '../read-only/sql-names';
import { RULES_SETTINGS, type RulesConfig } from '../rules-config';
import {
  describeTable,
  refuseOffLimitsTable,
  isNumber,
  isText,
  unknownColumn,
  unknownTable,
  type TableInfo,
} from '../read-only/catalog.repository';

export interface CleanseStep {
  action: CleanseAction['action'];
  column?: string;
  columns?: string[];
  /** Rows the action changes (or removes), counted after the actions before it. */
  rows: number;
  sample: { id: string; before: unknown; after: unknown }[];
}

/**
 * Trim, standardize, impute and deduplicate, in the schemas QUALITY_CLEANSE_SCHEMAS lists. A
 * dry run (the default) reads through the read-only role and changes nothing; applying writes
 * as the monitor's own role, in one transaction, and only where that role has been granted
 * the right to.
 */
@Injectable()
export class CleanseUseCase {
  constructor(
    private readonly readOnly: ReadOnlyDatabase,
    private readonly writes: CleanseRepository,
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
  ) {}

  async execute(request: CleanseRequest) {
    const timeout = this.config.QUALITY_QUERY_TIMEOUT_MS;
    const [schema, name] = splitTable(request.table);
    this.mayCleanse(schema);
    const { table, target, steps } = await this.readOnly.read(timeout, async (query) => {
      const info = await describeTable(query, schema, name);
      if (!info) throw notFound(unknownTable(request.table, this.config.QUALITY_READONLY_USER));
      await refuseOffLimitsTable(query, info);
      const target = this.targetOf(info, request);
      const steps: CleanseStep[] = [];
      for (const [k, action] of request.actions.entries()) {
        const step = await previewStep(query, target, request.actions, k, request.sample_size);
        const { action: kind, ...what } = action;
        steps.push({ action: kind, ...pick(what), ...step });
      }
      return { table: info, target, steps };
    });
    if (!request.dry_run) await this.apply(table, target, request.actions, steps);
    return { table: request.table, id_column: target.id, dry_run: request.dry_run, actions: steps };
  }

  private async apply(
    table: TableInfo,
    target: CleanseTarget,
    actions: CleanseAction[],
    steps: CleanseStep[],
  ): Promise<void> {
    const deletes = actions.some((a) => a.action === 'deduplicate');
    const rights = await this.writes.rights(table, deletes);
    if (!rights.allowed) {
      const needs = deletes ? 'SELECT, UPDATE and DELETE' : 'SELECT and UPDATE';
      throw new ProblemException(
        problemFor(
          403,
          `${rights.role} may not change ${table.name}: cleansing applies changes as the monitor's own role, which needs ${needs} on the table. Grant them, or leave dry_run on to see what would change.`,
        ),
      );
    }
    const rows = await this.writes.apply(target, actions, this.config.QUALITY_QUERY_TIMEOUT_MS);
    rows.forEach((n, k) => (steps[k].rows = n));
  }

  /** Only schemas an operator listed, and never the monitor's own or auth: dry runs too. */
  private mayCleanse(schema: string): void {
    const allowed = this.config.QUALITY_CLEANSE_SCHEMAS;
    const refuse = (detail: string) => new ProblemException(problemFor(403, detail));
    if (isOffLimits(schema))
      throw refuse(
        `cleansing never reads or changes ${schema}: the quality monitor's own schema and auth are off limits, even when QUALITY_CLEANSE_SCHEMAS lists them`,
      );
    if (allowed.length === 0)
      throw refuse(
        'cleansing is off: QUALITY_CLEANSE_SCHEMAS lists no schema. Set it to the schemas cleansing may change, comma-separated.',
      );
    if (!allowed.includes(schema))
      throw refuse(
        `cleansing may change only the schemas in QUALITY_CLEANSE_SCHEMAS (${allowed.join(', ')}); ${schema} is not one of them`,
      );
  }

  /** Checks every column an action names, and that the action suits its type. */
  private targetOf(info: TableInfo, request: CleanseRequest): CleanseTarget {
    const id = request.id_column ?? info.primaryKey;
    if (!id) throw badField('id_column', `${info.name} has no single-column primary key: name one`);
    if (!info.columns.has(id)) throw badField('id_column', unknownColumn(info, id));
    request.actions.forEach((action, i) => {
      const columns = 'columns' in action ? action.columns : [action.column];
      const path = `actions[${i}].${'columns' in action ? 'columns' : 'column'}`;
      for (const column of columns) {
        const type = info.columns.get(column);
        if (type === undefined) throw badField(path, unknownColumn(info, column));
        const needsText = ['trim', 'standardize_email', 'standardize_phone', 'standardize_date'];
        if (needsText.includes(action.action) && !isText(type))
          throw badField(path, `${action.action} needs a text column; ${column} is ${type}`);
        if (action.action === 'impute' && action.strategy === 'median' && !isNumber(type))
          throw badField(path, `a median needs a numeric column; ${column} is ${type}`);
      }
    });
    return { sql: info.sql, id, types: info.columns };
  }
}

const pick = (what: Record<string, unknown>) =>
  'columns' in what ? { columns: what.columns as string[] } : { column: what.column as string };
