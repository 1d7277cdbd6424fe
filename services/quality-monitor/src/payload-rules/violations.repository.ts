import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { iso } from '../shared/values';

export interface Violation {
  rule_id: string;
  rule_name: string;
  severity: string;
  dimension: string;
  tenant: string;
  record_id: string;
  record_type: string;
  field: string;
  failing_values: unknown[];
  occurred_at: string;
}

export interface ViolationFilter {
  tenant?: string;
  rule?: string;
  record_id?: string;
  limit: number;
}

/** Violations found in streamed records, one per rule and record however often it arrives. */
@Injectable()
export class ViolationsRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns the violations not recorded before: the ones to count. */
  async record(violations: Violation[]): Promise<Violation[]> {
    if (violations.length === 0) return [];
    return this.db.query(
      `INSERT INTO stream_violations (rule_id, rule_name, severity, dimension, tenant, record_id,
              record_type, field, failing_values, occurred_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(rule_id uuid, rule_name text,
              severity text, dimension text, tenant text, record_id uuid, record_type text,
              field text, failing_values jsonb, occurred_at timestamptz)
       ON CONFLICT (rule_id, record_id) DO NOTHING
       RETURNING rule_id, rule_name, severity, tenant`,
      [JSON.stringify(violations)],
    );
  }

  async list(filter: ViolationFilter) {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT id::text, rule_id, rule_name AS rule, severity, dimension, tenant, record_id,
              record_type, field, failing_values, occurred_at, detected_at
         FROM stream_violations
        WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text IS NULL OR rule_name = $2)
          AND ($3::uuid IS NULL OR record_id = $3)
        ORDER BY detected_at DESC, id DESC LIMIT $4`,
      [filter.tenant ?? null, filter.rule ?? null, filter.record_id ?? null, filter.limit],
    );
    return rows.map((r) => ({
      ...r,
      occurred_at: iso(r.occurred_at as Date),
      detected_at: iso(r.detected_at as Date),
    }));
  }
}
