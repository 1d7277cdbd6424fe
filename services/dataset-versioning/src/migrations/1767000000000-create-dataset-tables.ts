import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The golden-dataset design (001) with a tenant on every dataset and versions stored by content.
 *
 * - example_versions holds every version of every example once, keyed by the SHA-256 of its
 *   canonical JSON: a commit never copies an example, it names versions.
 * - A commit stores its changes against its first parent (example_changes, the design's table,
 *   with version hashes instead of copies), so a diff reads what changed, not the dataset.
 * - branch_entries is each branch's working tree (its head plus what is staged), and
 *   staged_changes what differs from the head: committing turns those rows into a commit.
 * Example hashes are bytea (32 bytes, half the hex text) because they fill the big tables;
 * commit hashes are the design's 64 hex characters.
 */
export class CreateDatasetTables1767000000000 implements MigrationInterface {
  name = 'CreateDatasetTables1767000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of [...DATASETS, ...VERSIONS, ...LABELING, ...CANDIDATES])
      await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'decisions',
      'label_assignments',
      'label_history',
      'labeling_sessions',
      'dataset_analytics',
      'tags',
      'staged_changes',
      'branch_entries',
      'example_changes',
      'branches',
      'commits',
      'example_quality',
      'example_versions',
      'datasets',
    ])
      await q.query(`DROP TABLE ${table}`);
  }
}

const EXAMPLE_TYPES = `('classification', 'resolution', 'order_analysis')`;

const DATASETS = [
  `CREATE TABLE datasets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant text NOT NULL,
    name varchar(255) NOT NULL,
    description text,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    metadata jsonb NOT NULL DEFAULT '{}',
    UNIQUE (tenant, name)
  )`,
  // Snapshots of a dataset's metrics over time (growth), the design's dataset_analytics.
  `CREATE TABLE dataset_analytics (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    metric_name text NOT NULL,
    metric_value jsonb NOT NULL,
    time_period text NOT NULL CHECK (time_period IN ('daily', 'weekly', 'all_time')),
    computed_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const VERSIONS = [
  `CREATE TABLE example_versions (
    hash bytea PRIMARY KEY CHECK (length(hash) = 32),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    example_id uuid NOT NULL,
    example_type varchar(50) NOT NULL CHECK (example_type IN ${EXAMPLE_TYPES}),
    input_data jsonb NOT NULL,
    expected_output jsonb NOT NULL,
    labels jsonb,
    source_decision_id text,
    -- What the quality score compares examples by: the class taught, the input text.
    class text,
    text_key text,
    quality_score numeric(5, 2) CHECK (quality_score BETWEEN 0 AND 100),
    validation_status text NOT NULL DEFAULT 'pending'
      CHECK (validation_status IN ('pending', 'validated', 'rejected')),
    validated_by text,
    validated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_example_versions_text ON example_versions (dataset_id, text_key)`,
  `CREATE TABLE example_quality (
    example_hash bytea NOT NULL REFERENCES example_versions ON DELETE CASCADE,
    metric_name text NOT NULL,
    metric_value numeric(10, 4) NOT NULL,
    PRIMARY KEY (example_hash, metric_name)
  )`,
  `CREATE TABLE commits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    seq bigserial NOT NULL,
    commit_hash char(64) NOT NULL UNIQUE,
    parent_hashes char(64)[] NOT NULL,
    first_parent_id uuid REFERENCES commits,
    depth integer NOT NULL,
    tree_hash char(64) NOT NULL,
    message text NOT NULL,
    author text NOT NULL,
    committed_at timestamptz NOT NULL,
    examples_added integer NOT NULL DEFAULT 0,
    examples_removed integer NOT NULL DEFAULT 0,
    examples_modified integer NOT NULL DEFAULT 0,
    example_count integer NOT NULL
  )`,
  `CREATE INDEX idx_commits_dataset ON commits (dataset_id, seq)`,
  `CREATE TABLE example_changes (
    commit_id uuid NOT NULL REFERENCES commits ON DELETE CASCADE,
    example_id uuid NOT NULL,
    change_type text NOT NULL CHECK (change_type IN ('added', 'removed', 'modified')),
    before_hash bytea REFERENCES example_versions,
    after_hash bytea REFERENCES example_versions,
    PRIMARY KEY (commit_id, example_id)
  )`,
  // When each example was first added: the stable order of stratified splits.
  `CREATE INDEX idx_example_changes_example ON example_changes (example_id) WHERE change_type = 'added'`,
  `CREATE TABLE branches (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    head_commit_id uuid REFERENCES commits,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dataset_id, name)
  )`,
  `CREATE TABLE branch_entries (
    branch_id uuid NOT NULL REFERENCES branches ON DELETE CASCADE,
    example_id uuid NOT NULL,
    version_hash bytea NOT NULL REFERENCES example_versions,
    PRIMARY KEY (branch_id, example_id)
  )`,
  // The tree hash reads a branch's version hashes in order, from this index alone.
  `CREATE INDEX idx_branch_entries_hash ON branch_entries (branch_id, version_hash)`,
  `CREATE TABLE staged_changes (
    branch_id uuid NOT NULL REFERENCES branches ON DELETE CASCADE,
    example_id uuid NOT NULL,
    before_hash bytea REFERENCES example_versions,
    after_hash bytea REFERENCES example_versions,
    PRIMARY KEY (branch_id, example_id)
  )`,
  `CREATE TABLE tags (
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    commit_id uuid NOT NULL REFERENCES commits,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, name)
  )`,
];

const LABELING = [
  `CREATE TABLE labeling_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    labeler_id text NOT NULL,
    session_type text NOT NULL
      CHECK (session_type IN ('initial_labeling', 'validation', 'correction')),
    branch text NOT NULL DEFAULT 'main',
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    examples_labeled integer NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}'
  )`,
  `CREATE TABLE label_history (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dataset_id uuid NOT NULL REFERENCES datasets ON DELETE CASCADE,
    example_id uuid NOT NULL,
    session_id uuid NOT NULL REFERENCES labeling_sessions ON DELETE CASCADE,
    labeler_id text NOT NULL,
    label_type text NOT NULL,
    label_value jsonb NOT NULL,
    previous_value jsonb,
    confidence numeric(5, 2) CHECK (confidence BETWEEN 0 AND 1),
    notes text,
    seconds_spent numeric(10, 3),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_label_history_example ON label_history (dataset_id, example_id, labeler_id)`,
  // When \`next\` served an example to a labeler: the time per example, and the overlap count.
  `CREATE TABLE label_assignments (
    session_id uuid NOT NULL REFERENCES labeling_sessions ON DELETE CASCADE,
    example_id uuid NOT NULL,
    served_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, example_id)
  )`,
];

// Enriched records confident enough to become examples if someone says they were right.
const CANDIDATES = [
  `CREATE TABLE decisions (
    tenant text NOT NULL,
    record_id text NOT NULL,
    record_type text,
    input_data jsonb,
    -- The answer of each stage confident enough, by example type.
    outputs jsonb,
    completed_at timestamptz,
    positive_feedback_at timestamptz,
    promoted_at timestamptz,
    PRIMARY KEY (tenant, record_id)
  )`,
];
