import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ExplanationRow } from './explanation-rows';
import type { InteractionRow, ResponseRow } from './interaction-rows';

export interface Interaction {
  id: string;
  tenant: string;
  record_type: string;
  input: Record<string, unknown>;
  label: string | null;
  confidence: number | null;
  action: string | null;
  model_name: string | null;
  model_version: string | null;
  review_requested: boolean;
}

/**
 * Interactions are written from two events that may come in either order and more than once:
 * a field once known is kept, review_requested only turns on, and the completed answer wins
 * over the unsure one a review request carried.
 */
@Injectable()
export class InteractionsRepository {
  constructor(private readonly db: DataSource) {}

  async save(rows: readonly InteractionRow[], responses: readonly ResponseRow[]): Promise<void> {
    if (rows.length > 0) {
      await this.db.query(
        `INSERT INTO interactions (id, tenant, record_type, source, external_id, input, label,
                confidence, action, model_name, model_version, review_requested, completed_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant text, record_type text,
                source text, external_id text, input jsonb, label text, confidence numeric,
                action text, model_name text, model_version text, review_requested boolean,
                completed_at timestamptz)
         ON CONFLICT (id) DO UPDATE SET
           label = CASE WHEN EXCLUDED.completed_at IS NOT NULL THEN EXCLUDED.label
                        ELSE COALESCE(interactions.label, EXCLUDED.label) END,
           confidence = CASE WHEN EXCLUDED.completed_at IS NOT NULL THEN EXCLUDED.confidence
                        ELSE COALESCE(interactions.confidence, EXCLUDED.confidence) END,
           action = COALESCE(EXCLUDED.action, interactions.action),
           model_name = COALESCE(EXCLUDED.model_name, interactions.model_name),
           model_version = COALESCE(EXCLUDED.model_version, interactions.model_version),
           review_requested = interactions.review_requested OR EXCLUDED.review_requested,
           completed_at = COALESCE(interactions.completed_at, EXCLUDED.completed_at),
           updated_at = now()`,
        [JSON.stringify(rows)],
      );
    }
    if (responses.length > 0) {
      await this.db.query(
        `INSERT INTO response_analytics (interaction_id, tenant, response_type, ab_variant)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(interaction_id uuid, tenant text,
                response_type text, ab_variant text)
         ON CONFLICT (interaction_id, response_type) DO NOTHING`,
        [JSON.stringify(responses)],
      );
    }
  }

  /** The registry model is found by the `<name>@<version>` the answer named, when it is one. */
  async saveExplanations(rows: readonly ExplanationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO model_explanations (model_id, tenant, entity_id, model_version, prediction,
              feature_contributions, top_features, explanation_text)
       SELECT m.id, r.tenant, r.entity_id, r.model_version, r.prediction,
              r.feature_contributions, ARRAY(SELECT jsonb_array_elements_text(r.top_features)),
              r.explanation_text
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, entity_id text, model_version text,
              prediction numeric, feature_contributions jsonb, top_features jsonb,
              explanation_text text)
         LEFT JOIN models m ON m.tenant = r.tenant AND m.name = 'classification'
              AND r.model_version = 'classification@' || m.version
       ON CONFLICT ON CONSTRAINT model_explanations_entity_version_key DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async find(tenant: string, id: string): Promise<Interaction | undefined> {
    const rows: Interaction[] = await this.db.query(
      `SELECT id, tenant, record_type, input, label, confidence::float8 AS confidence, action,
              model_name, model_version, review_requested
         FROM interactions WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    return rows[0];
  }
}
