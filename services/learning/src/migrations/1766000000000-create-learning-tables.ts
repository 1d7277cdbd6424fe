import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The learning-tables design (002): what people said about an enriched record (feedback,
 * corrections, call transcripts, response analytics) and the queue of learnings drawn from it.
 * The design's `conversations` are our interactions, one per enriched record, and its integer
 * `shop_id` is our tenant slug. Names are unqualified: the DataSource's search_path puts them in
 * the service's schema, and each function that reads a table keeps that search_path
 * (`SET search_path FROM CURRENT`), so a trigger finds its tables whoever fires it.
 */
export class CreateLearningTables1766000000000 implements MigrationInterface {
  name = 'CreateLearningTables1766000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of [
      ...INTERACTIONS,
      ...FEEDBACK,
      ...CORRECTIONS,
      ...LEARNING_QUEUE,
      ...LEARNING_EMBEDDINGS,
      ...RESPONSE_ANALYTICS,
      ...VOICE_TRANSCRIPTS,
      ...AUDIT_LOG,
      ...QUEUE_TRIGGERS,
      ...LEARNING_TRIGGERS,
      ...QUEUE_FUNCTIONS,
      ...METRICS,
    ])
      await q.query(statement);
  }

  /** The design's rollback order: views, audit log, tables, then the functions. */
  async down(q: QueryRunner): Promise<void> {
    for (const statement of [
      'DROP MATERIALIZED VIEW response_performance_metrics',
      'DROP MATERIALIZED VIEW daily_learning_metrics',
      'DROP TABLE learning_audit_log',
      'DROP TABLE learning_embeddings',
      'DROP TABLE learning_queue',
      'DROP TABLE voice_transcripts',
      'DROP TABLE response_analytics',
      'DROP TABLE corrections',
      'DROP TABLE feedback',
      'DROP TABLE interactions',
      'DROP FUNCTION batch_process_learning(integer)',
      'DROP FUNCTION check_similar_knowledge(text, text, vector, numeric, integer, uuid)',
      'DROP FUNCTION trigger_learning_from_corrections()',
      'DROP FUNCTION trigger_learning_from_negative_feedback()',
      'DROP FUNCTION audit_learning_queue()',
      'DROP FUNCTION update_learning_queue_timestamp()',
    ])
      await q.query(statement);
  }
}

/**
 * check_similar_knowledge reads a tenant with fewer embedded items than this exactly, not through
 * HNSW (the learning.exact_scan_below setting overrides it; 0 sends every tenant to HNSW). An
 * exact read costs ~4 µs an item once other tenants' searches have pushed its vectors out of
 * shared buffers (bench, 100,000 items: 12 ms for 2,900 items, 80 ms for 22,000), where HNSW
 * takes ~20 ms p50 and 85 ms p99 for a far query of a 2,900-item tenant and 5 ms p50, 15-25 ms
 * p99 for one of 22,000: the two meet at about 5,000.
 */
export const EXACT_SCAN_BELOW = 5_000;

/** The text compared for similarity when no reason was given: an exception's description. */
const INPUT_TEXT = `coalesce(i.input ->> 'description', i.input::text)`;

// One per enriched record, written when learning hears of it: what the AI saw and answered.
const INTERACTIONS = [
  `CREATE TABLE interactions (
    id uuid PRIMARY KEY, -- the record's id
    tenant text NOT NULL,
    -- No CHECK: record types belong to the contracts, and a new one needs no migration here.
    record_type text NOT NULL,
    source text,
    external_id text,
    input jsonb NOT NULL,
    label text,
    -- 0-1 as the stages report it; learning_queue.confidence_score is the design's 0-100.
    confidence numeric(5,4) CONSTRAINT interactions_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    action text,
    model_name text,
    model_version text,
    review_requested boolean NOT NULL DEFAULT false,
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_interactions_tenant_created ON interactions (tenant, created_at)`,
  // A transcript finds the interaction of the order it is about.
  `CREATE INDEX idx_interactions_order_number ON interactions (tenant, (input->>'order_number'))
     WHERE record_type = 'order'`,
];

// The design's conversation_feedback.
const FEEDBACK = [
  `CREATE TABLE feedback (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    interaction_id uuid NOT NULL
      CONSTRAINT fk_feedback_conversation REFERENCES interactions ON DELETE CASCADE,
    tenant text NOT NULL,
    feedback_type text NOT NULL CONSTRAINT feedback_feedback_type_check
      CHECK (feedback_type IN ('thumbs_up', 'thumbs_down', 'star_rating', 'emoji')),
    rating smallint CONSTRAINT feedback_rating_check CHECK (rating BETWEEN 1 AND 5),
    reason text,
    created_by text, -- the API key's id
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_feedback_conversation ON feedback (interaction_id)`,
  `CREATE INDEX idx_feedback_type ON feedback (feedback_type)`,
  `CREATE INDEX idx_feedback_created_at ON feedback (created_at)`,
  `CREATE INDEX idx_feedback_type_created ON feedback (feedback_type, created_at)`,
];

// The design's owner_corrections: the answer a person says the AI should have given.
const CORRECTIONS = [
  `CREATE TABLE corrections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    interaction_id uuid NOT NULL
      CONSTRAINT fk_corrections_conversation REFERENCES interactions ON DELETE CASCADE,
    tenant text NOT NULL,
    original_response jsonb NOT NULL,
    corrected_answer jsonb NOT NULL,
    priority text NOT NULL DEFAULT 'normal' CONSTRAINT corrections_priority_check
      CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    reason text,
    created_by text,
    applied_at timestamptz, -- set by batch_process_learning when its queue item is applied
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_corrections_conversation ON corrections (interaction_id)`,
  `CREATE INDEX idx_corrections_priority ON corrections (priority)`,
  // Both partial indexes cover unapplied corrections: oldest first overall, and per tenant.
  `CREATE INDEX idx_corrections_applied_at ON corrections (created_at) WHERE applied_at IS NULL`,
  `CREATE INDEX idx_corrections_priority_created ON corrections (priority, created_at)`,
  `CREATE INDEX idx_corrections_pending ON corrections (tenant, created_at) WHERE applied_at IS NULL`,
];

// Proposed learnings, decided by a person (or by an urgent correction) and applied in batches.
const LEARNING_QUEUE = [
  `CREATE TABLE learning_queue (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT learning_queue_status_check
      CHECK (status IN ('pending', 'approved', 'rejected', 'applied')),
    source_type text NOT NULL CONSTRAINT learning_queue_source_type_check
      CHECK (source_type IN ('feedback', 'correction', 'transcript', 'manual')),
    -- No foreign keys: one column points at feedback, corrections or transcripts, and an
    -- item outlives its source and its interaction.
    source_id uuid,
    interaction_id uuid,
    proposed_content jsonb NOT NULL, -- input, expected output, reason
    content text NOT NULL, -- the text compared for similarity
    -- The design's embedding vector(768) is learning_embeddings.embedding, below.
    confidence_score numeric(5,2) NOT NULL CONSTRAINT learning_queue_confidence_score_check
      CHECK (confidence_score BETWEEN 0 AND 100),
    duplicate_of uuid
      CONSTRAINT fk_learning_duplicate_of REFERENCES learning_queue ON DELETE SET NULL,
    decided_by text,
    decided_at timestamptz,
    applied_at timestamptz,
    published_at timestamptz, -- when learning.applied went out
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_learning_status ON learning_queue (status)`,
  `CREATE INDEX idx_learning_shop_id ON learning_queue (tenant)`,
  `CREATE INDEX idx_learning_source_type ON learning_queue (source_type)`,
  `CREATE INDEX idx_learning_status_created ON learning_queue (status, created_at)`,
  `CREATE INDEX idx_learning_confidence ON learning_queue (confidence_score)`,
  // The API's pending list is per tenant, oldest first.
  `CREATE INDEX idx_learning_pending ON learning_queue (tenant, created_at) WHERE status = 'pending'`,
  // batch_process_learning's order: the approved items decided first.
  `CREATE INDEX idx_learning_approved ON learning_queue (decided_at, created_at)
    WHERE status = 'approved'`,
  // What the publisher has still to announce.
  `CREATE INDEX idx_learning_unpublished ON learning_queue (applied_at)
    WHERE status = 'applied' AND published_at IS NULL`,
  // One item per feedback, correction or transcript: the service finds it by its source.
  `CREATE UNIQUE INDEX idx_learning_one_per_source ON learning_queue (source_type, source_id)
    WHERE source_id IS NOT NULL`,
  // Deleting an item looks for its duplicates: without this, a scan of the queue per row.
  `CREATE INDEX idx_learning_duplicate_of ON learning_queue (duplicate_of)
    WHERE duplicate_of IS NOT NULL`,
];

// The design's learning_queue.embedding: an item's vector, one at most, set once the item is
// embedded (an item without one is not compared). It lives beside the queue, not in it, because
// an item's status, decision and publication change after it is embedded, and an update that
// changes an indexed column (status is one, published_at is in a partial index's predicate) is
// never HOT: the new row version goes into every index of the table, and into HNSW that costs
// ~1.5 ms a row at 100,000 items. Here a vector is written once and its row never updated for
// the queue's sake; check_similar_knowledge joins the queue for the status and the content.
// The tenant is the item's, copied from it (QueueRepository.setEmbedding), so that the scans
// filter by tenant without the join.
const LEARNING_EMBEDDINGS = [
  `CREATE TABLE learning_embeddings (
    item_id uuid PRIMARY KEY
      CONSTRAINT fk_learning_embeddings_item REFERENCES learning_queue ON DELETE CASCADE,
    tenant text NOT NULL,
    embedding vector(768) NOT NULL
  )`,
  // A 768-d vector (3 kB) would go to TOAST, which the planner does not cost: an exact scan of a
  // large tenant would look cheaper than HNSW. Kept in the row, as pgvector advises.
  `ALTER TABLE learning_embeddings ALTER COLUMN embedding SET STORAGE PLAIN`,
  `CREATE INDEX idx_learning_embedding_hnsw ON learning_embeddings
    USING hnsw (embedding vector_cosine_ops)`,
  // A small tenant's vectors, which check_similar_knowledge reads exactly.
  `CREATE INDEX idx_learning_embeddings_tenant ON learning_embeddings (tenant)`,
];

const RESPONSE_ANALYTICS = [
  `CREATE TABLE response_analytics (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    interaction_id uuid NOT NULL
      CONSTRAINT fk_analytics_conversation REFERENCES interactions ON DELETE CASCADE,
    tenant text NOT NULL,
    response_type text NOT NULL,
    user_engagement_score numeric(5,2) CONSTRAINT response_analytics_user_engagement_score_check
      CHECK (user_engagement_score BETWEEN 0 AND 100),
    led_to_conversion boolean,
    ab_variant text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT response_analytics_interaction_response_key UNIQUE (interaction_id, response_type)
  )`,
  `CREATE INDEX idx_analytics_conversation ON response_analytics (interaction_id)`,
  `CREATE INDEX idx_analytics_response_type ON response_analytics (response_type)`,
  `CREATE INDEX idx_analytics_created_at ON response_analytics (created_at)`,
  // Most responses are in no experiment.
  `CREATE INDEX idx_analytics_ab_variant ON response_analytics (ab_variant) WHERE ab_variant IS NOT NULL`,
  `CREATE INDEX idx_analytics_type_created ON response_analytics (response_type, created_at)`,
  // A tenant's conversions over time; an index on the boolean alone would select half the table.
  `CREATE INDEX idx_analytics_conversion ON response_analytics (tenant, created_at)
    WHERE led_to_conversion`,
];

const VOICE_TRANSCRIPTS = [
  `CREATE TABLE voice_transcripts (
    id uuid PRIMARY KEY, -- the transcript's record id
    -- The order's interaction, when the call could be tied to one.
    interaction_id uuid
      CONSTRAINT fk_transcripts_conversation REFERENCES interactions ON DELETE CASCADE,
    tenant text NOT NULL,
    order_number text,
    channel text,
    transcript text NOT NULL,
    turns jsonb,
    sentiment text NOT NULL CONSTRAINT voice_transcripts_sentiment_check
      CHECK (sentiment IN ('positive', 'neutral', 'negative', 'mixed')),
    entities jsonb NOT NULL DEFAULT '{}',
    embedding vector(768),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `ALTER TABLE voice_transcripts ALTER COLUMN embedding SET STORAGE PLAIN`, // as for the queue
  `CREATE INDEX idx_transcripts_conversation ON voice_transcripts (interaction_id)`,
  `CREATE INDEX idx_transcripts_sentiment ON voice_transcripts (sentiment)`,
  `CREATE INDEX idx_transcripts_created_at ON voice_transcripts (created_at)`,
  `CREATE INDEX idx_transcripts_embedding_hnsw ON voice_transcripts
    USING hnsw (embedding vector_cosine_ops)`,
  `CREATE INDEX idx_transcripts_entities ON voice_transcripts USING gin (entities jsonb_path_ops)`,
  `CREATE INDEX idx_transcripts_negative ON voice_transcripts (tenant, created_at)
    WHERE sentiment = 'negative'`,
  `CREATE INDEX idx_transcripts_order ON voice_transcripts (tenant, order_number)`,
];

// Every status a queue item took, and who moved it there. No foreign key: the trail stays.
const AUDIT_LOG = [
  `CREATE TABLE learning_audit_log (
    id bigserial PRIMARY KEY,
    item_id uuid NOT NULL,
    tenant text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    actor text NOT NULL,
    note text,
    at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX idx_learning_audit_item ON learning_audit_log (item_id, at)`,
];

const QUEUE_TRIGGERS = [
  `CREATE FUNCTION update_learning_queue_timestamp() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.updated_at := now();
    RETURN NEW;
  END $$`,
  `CREATE TRIGGER trg_learning_queue_updated_at BEFORE UPDATE ON learning_queue
    FOR EACH ROW EXECUTE FUNCTION update_learning_queue_timestamp()`,
  // The service names the actor (and a note) with set_config(..., true) in its transaction.
  `CREATE FUNCTION audit_learning_queue() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
      RETURN NULL;
    END IF;
    INSERT INTO learning_audit_log (item_id, tenant, from_status, to_status, actor, note)
    VALUES (NEW.id, NEW.tenant, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
            coalesce(nullif(current_setting('learning.actor', true), ''), 'system'),
            nullif(current_setting('learning.note', true), ''));
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER trg_learning_queue_audit AFTER INSERT OR UPDATE OF status ON learning_queue
    FOR EACH ROW EXECUTE FUNCTION audit_learning_queue()`,
];

// Feedback and corrections enqueue their learning in the same transaction that stores them.
const LEARNING_TRIGGERS = [
  `CREATE FUNCTION trigger_learning_from_negative_feedback() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
  DECLARE
    i record;
  BEGIN
    SELECT tenant, input, label, action, confidence, model_name, model_version
      INTO STRICT i FROM interactions WHERE id = NEW.interaction_id;
    -- The interaction's tenant, not the caller's: its input stays with its own tenant.
    INSERT INTO learning_queue
      (tenant, source_type, source_id, interaction_id, confidence_score, proposed_content, content)
    VALUES (i.tenant, 'feedback', NEW.id, NEW.interaction_id, 60,
      jsonb_build_object(
        'input', i.input,
        'answer', jsonb_build_object('label', i.label, 'action', i.action,
          'confidence', i.confidence, 'model_name', i.model_name, 'model_version', i.model_version),
        'feedback_type', NEW.feedback_type, 'rating', NEW.rating, 'reason', NEW.reason),
      coalesce(nullif(btrim(NEW.reason), ''), ${INPUT_TEXT}));
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER trg_feedback_learning AFTER INSERT ON feedback FOR EACH ROW
    WHEN (NEW.feedback_type = 'thumbs_down' OR NEW.rating <= 2)
    EXECUTE FUNCTION trigger_learning_from_negative_feedback()`,
  // A correction is high-confidence (90); an urgent one is approved at once, any other waits.
  `CREATE FUNCTION trigger_learning_from_corrections() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
  DECLARE
    i record;
    urgent boolean := NEW.priority = 'urgent';
  BEGIN
    SELECT tenant, input INTO STRICT i FROM interactions WHERE id = NEW.interaction_id;
    INSERT INTO learning_queue (tenant, status, source_type, source_id, interaction_id,
      confidence_score, proposed_content, content, decided_by, decided_at)
    VALUES (i.tenant, CASE WHEN urgent THEN 'approved' ELSE 'pending' END, 'correction', NEW.id,
      NEW.interaction_id, 90,
      jsonb_build_object('input', i.input, 'original_response', NEW.original_response,
        'corrected_answer', NEW.corrected_answer, 'reason', NEW.reason, 'priority', NEW.priority),
      coalesce(nullif(btrim(NEW.reason), ''), ${INPUT_TEXT}),
      CASE WHEN urgent THEN 'auto:urgent' END, CASE WHEN urgent THEN now() END);
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER trg_corrections_learning AFTER INSERT ON corrections FOR EACH ROW
    EXECUTE FUNCTION trigger_learning_from_corrections()`,
];

const QUEUE_FUNCTIONS = [
  // Cosine similarity (1 - <=>) to a tenant's live items, the nearest p_limit at or above
  // p_threshold; p_content is the design's and is not scored. Each query is planned on each call
  // (EXECUTE), with the tenant's own statistics.
  //  - A tenant with at least EXACT_SCAN_BELOW embedded items goes through HNSW. It filters the
  //    tenant only after the scan, so the iterative scan goes on past ef_search until enough of
  //    the tenant's live items are found, in a slightly relaxed order that the outer ORDER BY
  //    puts right; the threshold is applied outside the LIMIT, as pgvector advises (inside, a
  //    far query would scan on to hnsw.max_scan_tuples).
  //  - A smaller tenant is read exactly: for it HNSW walks other tenants' items (thousands of
  //    rows and tens of thousands of buffers for a far query). Its vectors are read through
  //    idx_learning_embeddings_tenant, the threshold filters them before the sort (the nearest
  //    p_limit above it are the nearest p_limit's ones above it), and only those left are looked
  //    up in the queue (the LATERAL's OFFSET 0 keeps it a lookup per row, not a hash of the
  //    tenant's queue); + 0 keeps the ORDER BY off HNSW.
  // The tenant's size is the planner's estimate, from the statistics as the planner reads them
  // (its share of the most common values, or of the rest): ~0.15 ms, where counting even 5,000
  // entries of the index takes 0.5-1 ms with the visibility map set, and several times that
  // with it not set, when the count must visit the (3 kB a row) heap. Unanalyzed, the table
  // is taken as small. The share is clamped at 0: when every tenant is a most common value,
  // the rest (1 - their float4 frequencies) can come out a hair below zero.
  // A parallel plan or JIT only adds milliseconds to a query of a few.
  `CREATE FUNCTION check_similar_knowledge(
    p_tenant text,
    p_content text,
    p_embedding vector(768),
    p_threshold numeric DEFAULT 0.85,
    p_limit integer DEFAULT 10,
    p_exclude uuid DEFAULT NULL
  ) RETURNS TABLE (id uuid, content text, similarity numeric)
    LANGUAGE plpgsql STABLE
    SET search_path FROM CURRENT
    SET hnsw.iterative_scan = 'relaxed_order'
    SET hnsw.ef_search = 100
    SET max_parallel_workers_per_gather = 0
    SET jit = off
  AS $$
  DECLARE
    exact_below numeric := coalesce(
      nullif(current_setting('learning.exact_scan_below', true), '')::numeric, ${EXACT_SCAN_BELOW});
    embedded numeric;
  BEGIN
    SELECT greatest(c.reltuples, 0) * greatest(coalesce(
             s.most_common_freqs[array_position(s.most_common_vals::text::text[], p_tenant)],
             (1 - s.null_frac - coalesce((SELECT sum(f) FROM unnest(s.most_common_freqs) f), 0))
               / greatest(CASE WHEN s.n_distinct < 0 THEN -s.n_distinct * c.reltuples
                               ELSE s.n_distinct END
                          - coalesce(cardinality(s.most_common_freqs), 0), 1),
             0), 0)
      INTO embedded
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_stats s
        ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'tenant'
     WHERE c.oid = 'learning_embeddings'::regclass;
    IF embedded < exact_below THEN
      RETURN QUERY EXECUTE $q$
        SELECT e.item_id, q.content, (1 - e.distance)::numeric
          FROM (SELECT item_id, embedding <=> $2 AS distance
                  FROM learning_embeddings
                 WHERE tenant = $1
                   AND item_id IS DISTINCT FROM $5
                   AND 1 - (embedding <=> $2) >= $3) e
          CROSS JOIN LATERAL (
                SELECT q.content
                  FROM learning_queue q
                 WHERE q.id = e.item_id
                   AND q.tenant = $1
                   AND q.status IN ('pending', 'approved', 'applied')
                OFFSET 0) q
         ORDER BY e.distance + 0
         LIMIT $4$q$
      USING p_tenant, p_embedding, p_threshold, p_limit, p_exclude;
    ELSE
      RETURN QUERY EXECUTE $q$
        SELECT nearest.item_id, nearest.content, (1 - nearest.distance)::numeric
          FROM (SELECT e.item_id, q.content, e.embedding <=> $2 AS distance
                  FROM learning_embeddings e
                  JOIN learning_queue q ON q.id = e.item_id
                 WHERE e.tenant = $1
                   AND q.tenant = $1
                   AND q.status IN ('pending', 'approved', 'applied')
                   AND e.item_id IS DISTINCT FROM $5
                 ORDER BY e.embedding <=> $2
                 LIMIT $4) nearest
         WHERE 1 - nearest.distance >= $3
         ORDER BY nearest.distance$q$
      USING p_tenant, p_embedding, p_threshold, p_limit, p_exclude;
    END IF;
  END $$`,
  // Replicas and overlapping runs share the work: a row another run holds is skipped, and one
  // it has applied meanwhile no longer matches status = 'approved'.
  `CREATE FUNCTION batch_process_learning(p_batch_size integer DEFAULT 100) RETURNS integer
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
  DECLARE
    processed integer;
  BEGIN
    WITH picked AS (
      SELECT id FROM learning_queue
       WHERE status = 'approved'
       ORDER BY decided_at, created_at
       LIMIT p_batch_size
       FOR UPDATE SKIP LOCKED
    ), applied AS (
      UPDATE learning_queue q SET status = 'applied', applied_at = now()
        FROM picked WHERE q.id = picked.id
      RETURNING q.source_type, q.source_id
    ), corrections_applied AS (
      UPDATE corrections c SET applied_at = now()
        FROM applied a
       WHERE a.source_type = 'correction' AND c.id = a.source_id AND c.applied_at IS NULL
    )
    SELECT count(*) INTO processed FROM applied;
    RETURN processed;
  END $$`,
];

// Days are UTC days whatever the refreshing session's TimeZone. The unique indexes let
// REFRESH MATERIALIZED VIEW CONCURRENTLY run while the views are read.
const METRICS = [
  `CREATE MATERIALIZED VIEW daily_learning_metrics AS
    SELECT date_trunc('day', created_at, 'UTC') AS day, tenant, source_type, status,
           count(*)::integer AS items,
           round(avg(confidence_score), 2) AS avg_confidence
      FROM learning_queue
     GROUP BY 1, 2, 3, 4`,
  `CREATE UNIQUE INDEX daily_learning_metrics_key
    ON daily_learning_metrics (day, tenant, source_type, status)`,
  // Feedback is about an interaction, so a response is judged by its interaction's feedback,
  // counted once per interaction and hash-joined: at a million feedback rows, a lookup of each
  // response's feedback took 4-6 s.
  // Rates are NULL where nothing was there to divide by; ab_variant '' means no experiment.
  `CREATE MATERIALIZED VIEW response_performance_metrics AS
    SELECT r.tenant, r.response_type, date_trunc('day', r.created_at, 'UTC') AS day,
           coalesce(r.ab_variant, '') AS ab_variant,
           count(*)::integer AS responses,
           coalesce(sum(f.feedback), 0)::integer AS feedback,
           round(count(*) FILTER (WHERE f.feedback > 0)::numeric / count(*), 4) AS feedback_rate,
           round(sum(f.negative) / nullif(sum(f.feedback), 0), 4) AS negative_rate,
           round(count(*) FILTER (WHERE r.led_to_conversion)::numeric
                 / nullif(count(r.led_to_conversion), 0), 4) AS conversion_rate
      FROM response_analytics r
      LEFT JOIN (
        SELECT fb.interaction_id, count(*) AS feedback,
               count(*) FILTER (WHERE fb.feedback_type = 'thumbs_down' OR fb.rating <= 2) AS negative
          FROM feedback fb
         GROUP BY fb.interaction_id) f ON f.interaction_id = r.interaction_id
     GROUP BY 1, 2, 3, 4`,
  `CREATE UNIQUE INDEX response_performance_metrics_key
    ON response_performance_metrics (tenant, response_type, day, ab_variant)`,
];
