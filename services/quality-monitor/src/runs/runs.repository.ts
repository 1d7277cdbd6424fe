import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { judgedRows } from '../rules/rule-result';
import type { RunReport } from './run-report';
import { iso, num } from '../shared/values';

/** A rule's most recent result, with the rule's current labels: what the gauges show. */
export interface LatestResult {
  rule: string;
  table: string | null;
  severity: string;
  type: string;
  judged: number | null;
  unexpected: number | null;
}

export type RunSummary = Omit<RunReport, 'results'>;

@Injectable()
export class RunsRepository {
  constructor(private readonly db: DataSource) {}

  async save(report: RunReport): Promise<void> {
    const results = report.results.map((r, position) => ({
      position,
      rule_id: r.rule.id,
      success: r.success,
      judged_count: judgedRows(r.rule.type, r.result),
      unexpected_count: r.result?.unexpected_count ?? null,
      body: r,
    }));
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO rule_runs (id, trigger, started_at, finished_at, success, statistics)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          report.id,
          report.trigger,
          report.started_at,
          report.finished_at,
          report.success,
          JSON.stringify(report.statistics),
        ],
      );
      await tx.query(
        `INSERT INTO rule_results (run_id, position, rule_id, success, judged_count,
                unexpected_count, body, evaluated_at)
         SELECT $1, r.position, r.rule_id, r.success, r.judged_count, r.unexpected_count, r.body, $2
           FROM jsonb_to_recordset($3::jsonb) AS r(position integer, rule_id uuid, success boolean,
                judged_count bigint, unexpected_count bigint, body jsonb)`,
        [report.id, report.finished_at, JSON.stringify(results)],
      );
    });
  }

  async find(id: string): Promise<RunReport | undefined> {
    const rows = await this.db.query(
      `SELECT r.*, COALESCE((SELECT json_agg(res.body ORDER BY res.position)
                               FROM rule_results res WHERE res.run_id = r.id), '[]') AS results
         FROM rule_runs r WHERE r.id = $1`,
      [id],
    );
    return rows[0] && { ...this.summary(rows[0]), results: rows[0].results };
  }

  async recent(limit: number, trigger?: string): Promise<RunSummary[]> {
    const rows = await this.db.query(
      `SELECT * FROM rule_runs WHERE ($2::text IS NULL OR trigger = $2)
        ORDER BY started_at DESC LIMIT $1`,
      [limit, trigger ?? null],
    );
    return rows.map((row: Record<string, unknown>) => this.summary(row));
  }

  /** True for the one replica that may start the scheduled run now. */
  async claimScheduledRun(intervalMs: number): Promise<boolean> {
    const [row] = await this.db.query(
      `WITH claimed AS (
         UPDATE rule_schedule SET last_started_at = now()
          WHERE last_started_at <= now() - make_interval(secs => $1) RETURNING 1)
       SELECT count(*)::int AS n FROM claimed`,
      [intervalMs / 1000],
    );
    return row.n === 1;
  }

  async latestResults(): Promise<LatestResult[]> {
    const rows: (Omit<LatestResult, 'judged' | 'unexpected'> & {
      judged: string | null;
      unexpected: string | null;
    })[] = await this.db.query(
      `SELECT DISTINCT ON (res.rule_id) v.name AS rule, v.target AS table, v.severity, v.type,
              res.judged_count AS judged, res.unexpected_count AS unexpected
         FROM rule_results res JOIN validation_rules v ON v.id = res.rule_id
        ORDER BY res.rule_id, res.evaluated_at DESC`,
    );
    return rows.map((r) => ({ ...r, judged: num(r.judged), unexpected: num(r.unexpected) }));
  }

  private summary(row: Record<string, unknown>): RunSummary {
    return {
      id: row.id as string,
      trigger: row.trigger as RunReport['trigger'],
      started_at: iso(row.started_at as Date),
      finished_at: iso(row.finished_at as Date),
      success: row.success as boolean,
      statistics: row.statistics as RunReport['statistics'],
    };
  }
}
