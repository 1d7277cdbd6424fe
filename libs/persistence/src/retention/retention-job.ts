import { Logger } from '@nestjs/common';
import { escapeIdentifier as ident, escapeLiteral as literal } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';

import { schemaOf } from '../data-source/create-data-source';
import { assertIdentifier } from '../sql/identifiers';
import { retentionDeletedRows } from './retention-metrics';
import {
  assertRules,
  DEFAULT_BATCH_SIZE,
  isPartitionRule,
  type DeleteRule,
  type PartitionRule,
  type RetentionRule,
} from './retention-rule';
import { CUTOFF_SQL, deleteBatchSql, PARTITIONS_SQL, periodsSql } from './retention-sql';

/** What one rule did in one run. */
export interface RetentionReport {
  /** `schema.table`. */
  table: string;
  /** The rule's name (its table unless it has one). */
  rule: string;
  days: number;
  /** Rows removed from the table; a dropped partition counts its rows (as last analyzed). */
  deleted: number;
  /** Rows removed with them from other tables, by `schema.table`. */
  cascaded: Record<string, number>;
  /** DELETE statements run. */
  batches: number;
  droppedPartitions: string[];
  createdPartitions: string[];
  /** Why nothing was done: the retention is 0 (`kept`), or another process holds the table (`busy`). */
  skipped?: 'kept' | 'busy';
  /** What stopped the rule early; the next run tries again. */
  error?: string;
}

export interface RetentionJobOptions {
  /** The pause between two batches of one table, so that other writers get their turn. Default 100 ms. */
  pauseMs?: number;
  /** How long dropping or making a partition waits for its table lock before giving up. Default 5 s. */
  lockTimeoutMs?: number;
}

interface PartitionRow {
  name: string;
  is_default: boolean;
  upper: Date | null;
  reltuples: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Removes what is past retention in one service's schema, rule by rule in the order given (a
 * rule that needs another's rows gone comes after it). Each table is worked on under an
 * advisory lock (`pg_try_advisory_lock`), so replicas running at once skip a table another
 * one is on; rows go a batch per statement, with a pause between batches.
 */
export class RetentionJob {
  private readonly log = new Logger('Retention');
  private readonly schema: string;
  private readonly pauseMs: number;
  private readonly lockTimeoutMs: number;
  private readonly removed = retentionDeletedRows();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: readonly RetentionRule[],
    private readonly settings: Readonly<Record<string, unknown>>,
    options: RetentionJobOptions = {},
  ) {
    assertRules(rules);
    for (const rule of rules) {
      const days = settings[rule.setting];
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 0)
        throw new Error(`${rule.setting}: expected a whole number of days, got ${String(days)}`);
      for (const used of isPartitionRule(rule) ? [] : (rule.uses ?? []))
        if (settings[used] === undefined)
          throw new Error(`${used}: not set, and ${rule.table} reads it`);
    }
    this.schema = schemaOf(dataSource);
    this.pauseMs = options.pauseMs ?? 100;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
    // A series per table from the start: a dashboard shows 0 rather than nothing.
    for (const table of this.tables()) this.removed.inc({ table }, 0);
  }

  /** Every rule once; a rule that fails is logged and reported, and the others still run. */
  async run(): Promise<RetentionReport[]> {
    this.stopping = false;
    const reports: RetentionReport[] = [];
    for (const rule of this.rules) {
      if (this.stopping) break;
      const report = await this.runRule(rule);
      reports.push(report);
      this.logReport(report);
    }
    return reports;
  }

  /** Asks a run in flight to stop after its current statement. */
  stop(): void {
    this.stopping = true;
  }

  private tables(): string[] {
    return [
      ...new Set(
        this.rules.flatMap((rule) => [
          rule.table,
          ...(isPartitionRule(rule) ? [] : (rule.cascade ?? []).map((d) => d.table)),
        ]),
      ),
    ].map((table) => `${this.schema}.${table}`);
  }

  private async runRule(rule: RetentionRule): Promise<RetentionReport> {
    const days = this.settings[rule.setting] as number;
    const report: RetentionReport = {
      table: `${this.schema}.${rule.table}`,
      rule: (!isPartitionRule(rule) && rule.name) || rule.table,
      days,
      deleted: 0,
      cascaded: {},
      batches: 0,
      droppedPartitions: [],
      createdPartitions: [],
    };
    const runner = this.dataSource.createQueryRunner('master');
    try {
      await runner.connect();
      const lock = `refinery:retention:${report.table}`;
      const [{ locked }] = await runner.query(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [lock],
      );
      if (!locked) return { ...report, skipped: 'busy' };
      try {
        // A partitioned table still gets its next partitions when its rows are all kept.
        if (isPartitionRule(rule)) await this.makeAhead(runner, rule, report);
        if (days === 0) return { ...report, skipped: 'kept' };
        const [{ cutoff }] = await runner.query(CUTOFF_SQL, [days]);
        if (isPartitionRule(rule)) await this.dropPartitions(runner, rule, cutoff, report);
        else await this.deleteBatches(runner, rule, cutoff, report);
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
      }
    } catch (error) {
      report.error = message(error);
    } finally {
      await runner.release();
    }
    return report;
  }

  private async deleteBatches(
    runner: QueryRunner,
    rule: Pick<DeleteRule, 'table' | 'column' | 'where' | 'uses' | 'cascade' | 'batchSize'>,
    cutoff: Date,
    report: RetentionReport,
  ): Promise<void> {
    const limit = rule.batchSize ?? DEFAULT_BATCH_SIZE;
    const sql = deleteBatchSql(rule, limit);
    const params = [cutoff, ...(rule.uses ?? []).map((setting) => this.settings[setting])];
    const cascade = (rule.cascade ?? []).map((d) => `${this.schema}.${d.table}`);
    for (;;) {
      const [counts]: Record<string, number>[] = await runner.query(sql, params);
      report.batches += 1;
      report.deleted += counts.deleted;
      if (counts.deleted > 0) this.removed.inc({ table: report.table }, counts.deleted);
      cascade.forEach((table, i) => {
        const n = counts[`cascaded_${i}`];
        report.cascaded[table] = (report.cascaded[table] ?? 0) + n;
        if (n > 0) this.removed.inc({ table }, n);
      });
      if (counts.deleted < limit || this.stopping) return;
      await sleep(this.pauseMs);
    }
  }

  /** The partitions of the current period and `ahead` more, made where missing. */
  private async makeAhead(
    runner: QueryRunner,
    rule: PartitionRule,
    report: RetentionReport,
  ): Promise<void> {
    const { every, ahead, make } = rule.partitions;
    const before = new Set((await this.partitionsOf(runner, rule.table)).map((p) => p.name));
    const periods: { start_at: Date; end_at: Date; suffix: string }[] = await runner.query(
      periodsSql(every),
      [ahead],
    );
    for (const period of periods) {
      const name = assertIdentifier(`${rule.table}_${period.suffix}`, 'partition');
      if (make === undefined && before.has(name)) continue;
      await this.underLockTimeout(runner, () =>
        make !== undefined
          ? runner.query(`SELECT ${ident(make)}($1::timestamptz)`, [period.start_at])
          : runner.query(
              `CREATE TABLE IF NOT EXISTS ${ident(name)} PARTITION OF ${ident(rule.table)}
                 FOR VALUES FROM (${literal(period.start_at.toISOString())})
                 TO (${literal(period.end_at.toISOString())})`,
            ),
      ).catch((error: unknown) => {
        // A default partition holding rows of that period, say: the operator's to sort out.
        this.log.warn(`could not make partition ${name} of ${report.table}: ${message(error)}`);
      });
    }
    for (const { name } of await this.partitionsOf(runner, rule.table))
      if (!before.has(name)) report.createdPartitions.push(name);
  }

  /** Drops each partition whose range ended before the cutoff; rows past it in the default one go in batches. */
  private async dropPartitions(
    runner: QueryRunner,
    rule: PartitionRule,
    cutoff: Date,
    report: RetentionReport,
  ): Promise<void> {
    for (const partition of await this.partitionsOf(runner, rule.table)) {
      if (this.stopping) return;
      if (partition.is_default) {
        await this.deleteBatches(runner, { ...rule, table: partition.name }, cutoff, report);
        continue;
      }
      if (partition.upper === null || partition.upper > cutoff) continue;
      const rows =
        partition.reltuples >= 0
          ? Math.round(partition.reltuples)
          : (await runner.query(`SELECT count(*)::float8 AS n FROM ${ident(partition.name)}`))[0].n;
      await this.underLockTimeout(runner, () =>
        runner.query(`DROP TABLE ${ident(partition.name)}`),
      );
      report.droppedPartitions.push(partition.name);
      report.deleted += rows;
      if (rows > 0) this.removed.inc({ table: report.table }, rows);
    }
  }

  private partitionsOf(runner: QueryRunner, table: string): Promise<PartitionRow[]> {
    return runner.query(PARTITIONS_SQL, [table]);
  }

  /**
   * Runs `ddl` in a transaction that waits at most lockTimeoutMs for its locks: attaching or
   * dropping a partition locks the whole table, and a long query on it must not stall every
   * writer queued behind the DDL.
   */
  private async underLockTimeout(runner: QueryRunner, ddl: () => Promise<unknown>): Promise<void> {
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL lock_timeout = ${Math.round(this.lockTimeoutMs)}`);
      await ddl();
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  }

  private logReport(r: RetentionReport): void {
    const what = `${r.table}${r.rule === r.table.slice(this.schema.length + 1) ? '' : ` (${r.rule})`}`;
    if (r.error) {
      this.log.error(`${what}: stopped after removing ${r.deleted} rows: ${r.error}`);
      return;
    }
    if (r.skipped === 'busy') {
      this.log.debug(`${what}: skipped, another process is removing its old rows`);
      return;
    }
    if (r.createdPartitions.length > 0)
      this.log.log(`${what}: made partitions ${r.createdPartitions.join(', ')}`);
    const cascaded = Object.entries(r.cascaded)
      .filter(([, n]) => n > 0)
      .map(([table, n]) => `, and ${n} of ${table} with them`)
      .join('');
    const dropped =
      r.droppedPartitions.length > 0 ? ` (dropped ${r.droppedPartitions.join(', ')})` : '';
    if (r.deleted > 0 || cascaded)
      this.log.log(
        `${what}: removed ${r.deleted} rows older than ${r.days} days${dropped}${cascaded}, in ${r.batches} ${r.batches === 1 ? 'batch' : 'batches'}`,
      );
  }
}
