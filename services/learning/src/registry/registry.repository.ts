import { Injectable } from '@nestjs/common';
import type { ModelStage, ServedModelName } from '@refinery/contracts';
import { DataSource, type EntityManager } from 'typeorm';

export interface RegisteredModel {
  id: number;
  tenant: string;
  name: ServedModelName;
  version: number;
  owner: string;
  description: string;
  artifact_hash: string;
  stage: ModelStage;
  lineage: Record<string, unknown>;
  metrics: Record<string, unknown>;
  decision: Record<string, unknown> | null;
  created_at: string;
  promoted_at: string | null;
}

export type NewModel = Pick<
  RegisteredModel,
  'tenant' | 'name' | 'owner' | 'description' | 'artifact_hash' | 'stage' | 'lineage' | 'metrics'
> & { decision: Record<string, unknown> | null };

export interface StageChange {
  model_id: number;
  from_stage: ModelStage | null;
  to_stage: ModelStage;
  reason: string;
  actor: string;
  changed_at: string;
}

const COLUMN_NAMES = [
  'id',
  'tenant',
  'name',
  'version',
  'owner',
  'description',
  'artifact_hash',
  'stage',
  'lineage',
  'metrics',
  'decision',
  'created_at',
  'promoted_at',
];
const COLUMNS = COLUMN_NAMES.join(', ');

type Db = DataSource | EntityManager;

/** Every statement on the registry's tables; the tenant is an argument of each read. */
@Injectable()
export class RegistryRepository {
  constructor(readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Training and stage changes of one tenant take turns: one production model per name. */
  async lockTenant(tx: EntityManager, tenant: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('models/' || $1))`, [tenant]);
  }

  /** Stored once: the same weights trained twice keep their first row. */
  async saveArtifact(hash: string, bytes: Buffer, tx: Db = this.db): Promise<void> {
    await tx.query(
      `INSERT INTO model_artifacts (hash, bytes, size_bytes) VALUES ($1, $2, $3)
       ON CONFLICT (hash) DO NOTHING`,
      [hash, bytes, bytes.length],
    );
  }

  async artifacts(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const rows: { hash: string; bytes: Buffer }[] = await this.db.query(
      `SELECT hash, bytes FROM model_artifacts WHERE hash = ANY($1)`,
      [hashes],
    );
    return new Map(rows.map((r) => [r.hash, r.bytes]));
  }

  /** The next version of the name for the tenant: callers hold lockTenant. */
  async insert(tx: EntityManager, model: NewModel): Promise<RegisteredModel> {
    const rows: RegisteredModel[] = await tx.query(
      `INSERT INTO models (tenant, name, version, owner, description, artifact_hash, stage,
              lineage, metrics, decision, promoted_at)
       SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9,
              CASE WHEN $6 = 'production' THEN now() END
         FROM models WHERE tenant = $1 AND name = $2
       RETURNING ${COLUMNS}`,
      [
        model.tenant,
        model.name,
        model.owner,
        model.description,
        model.artifact_hash,
        model.stage,
        model.lineage,
        model.metrics,
        model.decision,
      ],
    );
    return rows[0];
  }

  async list(tenant: string, name?: string): Promise<RegisteredModel[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM models WHERE tenant = $1 AND ($2::text IS NULL OR name = $2)
        ORDER BY name, version DESC`,
      [tenant, name ?? null],
    );
  }

  async find(
    tenant: string,
    name: string,
    version: number,
    tx: Db = this.db,
  ): Promise<RegisteredModel | undefined> {
    const rows: RegisteredModel[] = await tx.query(
      `SELECT ${COLUMNS} FROM models WHERE tenant = $1 AND name = $2 AND version = $3`,
      [tenant, name, version],
    );
    return rows[0];
  }

  async production(tenant: string, tx: Db = this.db): Promise<RegisteredModel[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM models WHERE tenant = $1 AND stage = 'production' ORDER BY name`,
      [tenant],
    );
  }

  async tenantsInProduction(): Promise<string[]> {
    const rows: { tenant: string }[] = await this.db.query(
      `SELECT DISTINCT tenant FROM models WHERE stage = 'production' ORDER BY tenant`,
    );
    return rows.map((r) => r.tenant);
  }

  /** The newest version below `version` that has served in production: where a rollback goes. */
  async earlierProduction(
    tx: EntityManager,
    tenant: string,
    name: string,
    version: number,
  ): Promise<RegisteredModel | undefined> {
    const rows: RegisteredModel[] = await tx.query(
      `SELECT ${COLUMNS} FROM models m
        WHERE tenant = $1 AND name = $2 AND version < $3
          AND EXISTS (SELECT 1 FROM model_stage_changes c
                       WHERE c.model_id = m.id AND c.to_stage = 'production')
        ORDER BY version DESC LIMIT 1`,
      [tenant, name, version],
    );
    return rows[0];
  }

  async setStage(
    tx: EntityManager,
    model: RegisteredModel,
    to: ModelStage,
    reason: string,
    actor: string,
  ): Promise<void> {
    await tx.query(
      `UPDATE models SET stage = $2,
              promoted_at = CASE WHEN $2 = 'production' THEN now() ELSE promoted_at END
        WHERE id = $1`,
      [model.id, to],
    );
    await this.recordChange(tx, model.id, model.tenant, model.stage, to, reason, actor);
  }

  async recordChange(
    tx: EntityManager,
    modelId: number,
    tenant: string,
    from: ModelStage | null,
    to: ModelStage,
    reason: string,
    actor: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO model_stage_changes (model_id, tenant, from_stage, to_stage, reason, actor)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [modelId, tenant, from, to, reason, actor],
    );
  }

  async history(tenant: string, name: string): Promise<(StageChange & { version: number })[]> {
    return this.db.query(
      `SELECT c.model_id, m.version, c.from_stage, c.to_stage, c.reason, c.actor, c.changed_at
         FROM model_stage_changes c JOIN models m ON m.id = c.model_id
        WHERE m.tenant = $1 AND m.name = $2 ORDER BY c.changed_at, c.id`,
      [tenant, name],
    );
  }

  async explanations(tenant: string, recordId: string): Promise<unknown[]> {
    return this.db.query(
      `SELECT explanation_id, model_id, entity_id, model_version, prediction::float8 AS prediction,
              feature_contributions, top_features, explanation_text, generated_at
         FROM model_explanations WHERE tenant = $1 AND entity_id = $2
        ORDER BY generated_at DESC, explanation_id DESC`,
      [tenant, recordId],
    );
  }
}
