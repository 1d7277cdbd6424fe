import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Decision } from './candidate-examples';

export interface PromotableDecision {
  tenant: string;
  record_id: string;
  input_data: Record<string, unknown>;
  outputs: Decision[];
}

/** Confident enrichment results and positive feedback, met in either order. */
@Injectable()
export class DecisionsRepository {
  constructor(private readonly db: DataSource) {}

  async saveOutputs(
    rows: {
      tenant: string;
      record_id: string;
      record_type: string;
      input: unknown;
      outputs: Decision[];
      completed_at: string;
    }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO decisions (tenant, record_id, record_type, input_data, outputs, completed_at)
       SELECT r.tenant, r.record_id, r.record_type, r.input, r.outputs, r.completed_at
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, record_id text, record_type text,
              input jsonb, outputs jsonb, completed_at timestamptz)
       ON CONFLICT (tenant, record_id) DO UPDATE
         SET record_type = EXCLUDED.record_type, input_data = EXCLUDED.input_data,
             outputs = EXCLUDED.outputs, completed_at = EXCLUDED.completed_at
         WHERE decisions.outputs IS NULL`,
      [JSON.stringify(rows)],
    );
  }

  async markPositive(rows: { tenant: string; record_id: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO decisions (tenant, record_id, positive_feedback_at)
       SELECT r.tenant, r.record_id, now() FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, record_id text)
       ON CONFLICT (tenant, record_id) DO UPDATE SET positive_feedback_at = coalesce(decisions.positive_feedback_at, now())`,
      [JSON.stringify(rows)],
    );
  }

  /** Confirmed decisions not yet made examples; they are claimed by the caller's promotion. */
  promotable(limit: number): Promise<PromotableDecision[]> {
    return this.db.query(
      `SELECT tenant, record_id, input_data, outputs FROM decisions
        WHERE promoted_at IS NULL AND positive_feedback_at IS NOT NULL AND outputs IS NOT NULL
        ORDER BY positive_feedback_at LIMIT $1`,
      [limit],
    );
  }

  async markPromoted(rows: { tenant: string; record_id: string }[]): Promise<void> {
    await this.db.query(
      `UPDATE decisions d SET promoted_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, record_id text)
        WHERE d.tenant = r.tenant AND d.record_id = r.record_id`,
      [JSON.stringify(rows)],
    );
  }
}
