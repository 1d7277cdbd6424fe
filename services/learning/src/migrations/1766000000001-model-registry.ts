import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The design's model registry (AX) and explainability (BA): models by tenant, name and version,
 * their weights stored once by content hash, every change of stage, and the explanation of
 * each decision a model made.
 */
export class ModelRegistry1766000000001 implements MigrationInterface {
  name = 'ModelRegistry1766000000001';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of [...ARTIFACTS, ...MODELS, ...STAGE_CHANGES, ...EXPLANATIONS])
      await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const statement of [
      'DROP TABLE model_explanations',
      'DROP TABLE model_stage_changes',
      'DROP TABLE models',
      'DROP TABLE model_artifacts',
    ])
      await q.query(statement);
  }
}

// Content-addressed: two models trained in one run (classification and resolution) share one.
const ARTIFACTS = [
  `CREATE TABLE model_artifacts (
    hash text PRIMARY KEY CONSTRAINT model_artifacts_hash_check CHECK (hash ~ '^[0-9a-f]{64}$'),
    bytes bytea NOT NULL,
    size_bytes integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const MODELS = [
  `CREATE TABLE models (
    id serial PRIMARY KEY,
    tenant text NOT NULL,
    name text NOT NULL CONSTRAINT models_name_check CHECK (name IN ('classification', 'resolution')),
    version integer NOT NULL CONSTRAINT models_version_check CHECK (version >= 1),
    owner text NOT NULL,
    description text NOT NULL DEFAULT '',
    artifact_hash text NOT NULL CONSTRAINT fk_models_artifact REFERENCES model_artifacts,
    stage text NOT NULL CONSTRAINT models_stage_check
      CHECK (stage IN ('staging', 'production', 'archived')),
    -- dataset, commit, feature_space, code_revision, example counts
    lineage jsonb NOT NULL,
    -- accuracy, macro_f1, calibration_error, recall per label: on the Gold validation split
    metrics jsonb NOT NULL,
    -- why it was or was not promoted, against which production version
    decision jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    promoted_at timestamptz,
    CONSTRAINT models_tenant_name_version_key UNIQUE (tenant, name, version)
  )`,
  // One production model per tenant and name: a promotion archives the one before it.
  `CREATE UNIQUE INDEX idx_models_one_production ON models (tenant, name)
    WHERE stage = 'production'`,
];

const STAGE_CHANGES = [
  `CREATE TABLE model_stage_changes (
    id bigserial PRIMARY KEY,
    model_id integer NOT NULL CONSTRAINT fk_stage_changes_model REFERENCES models ON DELETE CASCADE,
    tenant text NOT NULL,
    from_stage text,
    to_stage text NOT NULL,
    reason text NOT NULL,
    actor text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_stage_changes_model ON model_stage_changes (model_id, changed_at)`,
];

// model_id is set when the answering version is in the registry; the shipped model's is NULL.
const EXPLANATIONS = [
  `CREATE TABLE model_explanations (
    explanation_id bigserial PRIMARY KEY,
    model_id integer CONSTRAINT fk_explanations_model REFERENCES models ON DELETE SET NULL,
    tenant text NOT NULL,
    entity_id text NOT NULL,
    model_version text,
    prediction numeric,
    feature_contributions jsonb NOT NULL,
    top_features text[] NOT NULL,
    explanation_text text NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT model_explanations_entity_version_key
      UNIQUE NULLS NOT DISTINCT (tenant, entity_id, model_version)
  )`,
];
