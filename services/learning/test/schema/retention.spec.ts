import { RetentionJob, runMigrations } from '@refinery/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { LEARNING_RETENTION, LearningConfigSchema } from '../../src/config';
import { createScratchSchema, insertInteraction, type ScratchSchema } from './learning-db';

const TENANT = 'retention-tenant';

/**
 * Retention removes every tenant's rows old enough, so it runs in a schema of its own: in the
 * shared one it would take other tests' rows too.
 */
describe('retention of interactions, response analytics, explanations and transcripts', () => {
  let scratch: ScratchSchema;
  let db: DataSource;
  const labelOf = new Map<string, string>();
  const left = async (sql: string) =>
    (await db.query(sql)).map((row: { id: string }) => labelOf.get(row.id) ?? row.id).sort();

  /** An interaction created `days` ago; returns its id. */
  const interaction = async (
    label: string,
    days: number,
    fields: { confidence?: number; label?: string | null; reviewRequested?: boolean } = {},
  ) => {
    const id = await insertInteraction(db, {
      tenant: TENANT,
      confidence: fields.confidence ?? 0.95,
      label: fields.label,
    });
    await db.query(
      `UPDATE interactions SET created_at = now() - make_interval(days => $2), review_requested = $3
        WHERE id = $1`,
      [id, days, fields.reviewRequested ?? false],
    );
    labelOf.set(id, label);
    return id;
  };
  const analytics = (interactionId: string, days: number) =>
    db.query(
      `INSERT INTO response_analytics (interaction_id, tenant, response_type, created_at)
       VALUES ($1, $2, 'classification', now() - make_interval(days => $3)) RETURNING id`,
      [interactionId, TENANT, days],
    );
  const explanation = (entityId: string, label: string, days: number) => {
    labelOf.set(entityId + label, label);
    return db.query(
      `INSERT INTO model_explanations (tenant, entity_id, model_version, feature_contributions,
                                       top_features, explanation_text, generated_at)
       VALUES ($1, $2, $3, '[]', '{}', 'why', now() - make_interval(days => $4))`,
      [TENANT, entityId, label, days],
    );
  };
  const transcript = async (label: string, days: number) => {
    const id = randomUUID();
    labelOf.set(id, label);
    await db.query(
      `INSERT INTO voice_transcripts (id, tenant, transcript, sentiment, created_at)
       VALUES ($1, $2, 'hello', 'neutral', now() - make_interval(days => $3))`,
      [id, TENANT, days],
    );
    return id;
  };

  beforeAll(async () => {
    scratch = await createScratchSchema('learning_retention');
    db = scratch.dataSource;
    await runMigrations(db);

    const plain = await interaction('plain-old', 200);
    await interaction('plain-young', 10);
    const unsure = await interaction('low-confidence-old', 200, { confidence: 0.5 });
    await interaction('review-requested-old', 200, { reviewRequested: true });
    await interaction('unlabeled-exception-old', 200, { label: null });
    const rated = await interaction('thumbs-up-old', 200);
    await db.query(
      `INSERT INTO feedback (interaction_id, tenant, feedback_type) VALUES ($1, $2, 'thumbs_up')`,
      [rated, TENANT],
    );
    const corrected = await interaction('corrected-old', 200);
    await db.query(
      `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer)
       VALUES ($1, $2, '{}', '{}')`,
      [corrected, TENANT],
    );
    await analytics(await interaction('analytics-kept-old', 200), 100);
    await analytics(await interaction('analytics-old', 200), 200);

    await explanation(plain, 'explains-removed-interaction', 200);
    await explanation(unsure, 'explains-kept-interaction', 200);
    await explanation(plain, 'explanation-young', 10);
    await explanation('not-a-record-id', 'explains-nothing', 200);

    await transcript('transcript-old', 200);
    await transcript('transcript-young', 10);
    const queued = await transcript('transcript-learning-pending', 200);
    await db.query(
      `INSERT INTO learning_queue (tenant, source_type, source_id, proposed_content, content,
                                   confidence_score)
       VALUES ($1, 'transcript', $2, '{}', 'from a call', 50)`,
      [TENANT, queued],
    );
  });
  afterAll(() => scratch?.drop());

  it('keeps what people said, what waits for them and what hangs off it; removes the rest past 180 days', async () => {
    const config = LearningConfigSchema.parse({});
    const reports = await new RetentionJob(db, LEARNING_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.rule, r.days, r.deleted, r.error])).toEqual([
      ['response_analytics', 180, 1, undefined],
      ['interactions', 180, 2, undefined],
      ['model_explanations', 180, 2, undefined],
      ['voice_transcripts', 180, 1, undefined],
    ]);
    expect(await left('SELECT id FROM interactions')).toEqual([
      'analytics-kept-old',
      'corrected-old',
      'low-confidence-old',
      'plain-young',
      'review-requested-old',
      'thumbs-up-old',
      'unlabeled-exception-old',
    ]);
    expect(await left(`SELECT entity_id || model_version AS id FROM model_explanations`)).toEqual([
      'explains-kept-interaction',
      'explanation-young',
    ]);
    expect(await left('SELECT id FROM voice_transcripts')).toEqual([
      'transcript-learning-pending',
      'transcript-young',
    ]);
    // What people said stays, with the learning drawn from it.
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM feedback)::int AS feedback,
              (SELECT count(*) FROM corrections)::int AS corrections,
              (SELECT count(*) FROM learning_queue)::int AS queue`,
    );
    expect(counts).toEqual({ feedback: 1, corrections: 1, queue: 2 });
  });
});
