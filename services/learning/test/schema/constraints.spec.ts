import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { QueueRepository } from '../../src/queue/queue.repository';
import {
  insertInteraction,
  openLearningDb,
  removeTenants,
  testTenant,
  toVector,
  unitVector,
} from './learning-db';

type Insert = (value: unknown) => Promise<unknown>;

describe('the learning tables’ constraints', () => {
  let db: DataSource;
  const tenants: string[] = [];
  const newTenant = () => {
    const tenant = testTenant();
    tenants.push(tenant);
    return tenant;
  };

  beforeAll(async () => {
    db = await openLearningDb();
  });
  afterAll(async () => {
    if (!db?.isInitialized) return;
    await removeTenants(db, tenants);
    await db.destroy();
  });

  /** Each bad value is refused by the constraint named; each allowed one is stored. */
  async function expectCheck(
    constraint: string,
    insert: Insert,
    bad: unknown[],
    allowed: unknown[],
  ): Promise<void> {
    for (const value of bad) {
      await expect(insert(value)).rejects.toMatchObject({
        message: expect.stringContaining(`violates check constraint "${constraint}"`),
        driverError: expect.objectContaining({ code: '23514', constraint }),
      });
    }
    for (const value of allowed) await expect(insert(value)).resolves.toBeDefined();
  }

  it('keeps feedback to its four types and ratings to 1-5', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    const feedback = (type: unknown, rating: unknown) =>
      db.query(
        `INSERT INTO feedback (interaction_id, tenant, feedback_type, rating) VALUES ($1, $2, $3, $4)`,
        [interaction, tenant, type, rating],
      );
    await expectCheck(
      'feedback_feedback_type_check',
      (type) => feedback(type, null),
      ['thumbs_sideways', 'THUMBS_UP', ''],
      ['thumbs_up', 'thumbs_down', 'star_rating', 'emoji'],
    );
    await expectCheck(
      'feedback_rating_check',
      (rating) => feedback('star_rating', rating),
      [0, 6, -1],
      [1, 2, 3, 4, 5, null],
    );
  });

  it('keeps correction priorities to low, normal, high and urgent, normal by default', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    const correction = (priority: unknown) =>
      db.query(
        `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer, priority)
         VALUES ($1, $2, '{"label": "damaged"}', '{"label": "lost_in_transit"}', coalesce($3, 'normal'))
         RETURNING priority`,
        [interaction, tenant, priority],
      );
    await expectCheck(
      'corrections_priority_check',
      correction,
      ['critical', 'Urgent'],
      ['low', 'normal', 'high', 'urgent'],
    );
    const [{ priority }] = await db.query(
      `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer)
       VALUES ($1, $2, '{}', '{}') RETURNING priority`,
      [interaction, tenant],
    );
    expect(priority).toBe('normal');
  });

  it('keeps queue items to their statuses, sources and a 0-100 confidence score', async () => {
    const tenant = newTenant();
    const item = (fields: { status?: unknown; source_type?: unknown; confidence?: unknown }) =>
      db.query(
        `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content, confidence_score)
         VALUES ($1, $2, $3, '{}', 'the parcel never arrived', $4) RETURNING id`,
        [
          tenant,
          fields.status ?? 'rejected',
          fields.source_type ?? 'manual',
          fields.confidence ?? 50,
        ],
      );
    await expectCheck(
      'learning_queue_status_check',
      (status) => item({ status }),
      ['validated', 'done'],
      ['pending', 'approved', 'rejected', 'applied'],
    );
    await expectCheck(
      'learning_queue_source_type_check',
      (source_type) => item({ source_type }),
      ['email', 'conversation'],
      ['feedback', 'correction', 'transcript', 'manual'],
    );
    // The design's 0-100 scale: a 0-1 score of 0.9 is allowed (the scale is the writer's to
    // know), but nothing outside 0-100.
    await expectCheck(
      'learning_queue_confidence_score_check',
      (confidence) => item({ confidence }),
      [-0.01, 100.01, 250],
      [0, 0.9, 60, 100],
    );
  });

  it('keeps engagement scores to 0-100 and interaction confidence to 0-1', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    await expectCheck(
      'response_analytics_user_engagement_score_check',
      (score) =>
        db.query(
          `INSERT INTO response_analytics (interaction_id, tenant, response_type, user_engagement_score)
           VALUES ($1, $2, $3, $4)`,
          [interaction, tenant, `reply-${randomUUID()}`, score],
        ),
      [-1, 100.5],
      [0, 55.5, 100, null],
    );
    await expectCheck(
      'interactions_confidence_check',
      (confidence) => insertInteraction(db, { tenant, confidence: confidence as number }),
      [1.5, -0.1],
      [0, 0.9731, 1, null],
    );
  });

  it('keeps transcript sentiments to positive, neutral, negative and mixed', async () => {
    const tenant = newTenant();
    await expectCheck(
      'voice_transcripts_sentiment_check',
      (sentiment) =>
        db.query(
          `INSERT INTO voice_transcripts (id, tenant, transcript, sentiment) VALUES ($1, $2, $3, $4)`,
          [randomUUID(), tenant, 'Where is my parcel?', sentiment],
        ),
      ['angry', 'NEGATIVE'],
      ['positive', 'neutral', 'negative', 'mixed'],
    );
  });

  it('deletes an interaction’s feedback, corrections, analytics and transcripts with it, not its queue items', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    const other = await insertInteraction(db, { tenant });
    for (const id of [interaction, other]) {
      await db.query(
        `INSERT INTO feedback (interaction_id, tenant, feedback_type, reason) VALUES ($1, $2, 'thumbs_down', 'wrong label')`,
        [id, tenant],
      );
      await db.query(
        `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer)
         VALUES ($1, $2, '{"label": "damaged"}', '{"label": "lost_in_transit"}')`,
        [id, tenant],
      );
      await db.query(
        `INSERT INTO response_analytics (interaction_id, tenant, response_type, led_to_conversion)
         VALUES ($1, $2, 'reply', true)`,
        [id, tenant],
      );
      await db.query(
        `INSERT INTO voice_transcripts (id, interaction_id, tenant, transcript, sentiment)
         VALUES ($1, $2, $3, 'It never came.', 'negative')`,
        [randomUUID(), id, tenant],
      );
    }
    const counts = async (id: string) =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM feedback WHERE interaction_id = $1)::int AS feedback,
                  (SELECT count(*) FROM corrections WHERE interaction_id = $1)::int AS corrections,
                  (SELECT count(*) FROM response_analytics WHERE interaction_id = $1)::int AS analytics,
                  (SELECT count(*) FROM voice_transcripts WHERE interaction_id = $1)::int AS transcripts,
                  (SELECT count(*) FROM learning_queue WHERE interaction_id = $1)::int AS queued`,
          [id],
        )
      )[0];
    const everything = { feedback: 1, corrections: 1, analytics: 1, transcripts: 1, queued: 2 };
    expect(await counts(interaction)).toEqual(everything);

    await db.query('DELETE FROM interactions WHERE id = $1', [interaction]);

    expect(await counts(interaction)).toEqual({
      feedback: 0,
      corrections: 0,
      analytics: 0,
      transcripts: 0,
      queued: 2,
    });
    expect(await counts(other)).toEqual(everything);
  });

  it('refuses feedback and corrections about an interaction it does not know', async () => {
    const tenant = newTenant();
    await expect(
      db.query(
        `INSERT INTO feedback (interaction_id, tenant, feedback_type) VALUES ($1, $2, 'thumbs_up')`,
        [randomUUID(), tenant],
      ),
    ).rejects.toMatchObject({
      driverError: expect.objectContaining({ constraint: 'fk_feedback_conversation' }),
    });
    await expect(
      db.query(
        `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer)
         VALUES ($1, $2, '{}', '{}')`,
        [randomUUID(), tenant],
      ),
    ).rejects.toMatchObject({
      driverError: expect.objectContaining({ constraint: 'fk_corrections_conversation' }),
    });
  });

  it('keeps an item’s one vector beside it, of its tenant, and deletes it with the item', async () => {
    const tenant = newTenant();
    const queue = new QueueRepository(db);
    const [{ id }] = await db.query(
      `INSERT INTO learning_queue (tenant, source_type, proposed_content, content, confidence_score)
       VALUES ($1, 'manual', '{}', 'x', 60) RETURNING id`,
      [tenant],
    );
    const stored = () =>
      db.query(
        `SELECT tenant, embedding::text AS embedding FROM learning_embeddings WHERE item_id = $1`,
        [id],
      );
    await queue.setEmbedding(db.manager, tenant, id, unitVector(3));
    expect(await stored()).toEqual([{ tenant, embedding: toVector(unitVector(3)) }]);
    // Embedded again, it is replaced; named with another tenant, it is left alone.
    await queue.setEmbedding(db.manager, tenant, id, unitVector(4));
    await queue.setEmbedding(db.manager, newTenant(), id, unitVector(5));
    expect(await stored()).toEqual([{ tenant, embedding: toVector(unitVector(4)) }]);
    // Kept in the row, not in TOAST, which the planner would not cost.
    const [{ attstorage }] = await db.query(
      `SELECT attstorage FROM pg_attribute
        WHERE attrelid = 'learning_embeddings'::regclass AND attname = 'embedding'`,
    );
    expect(attstorage).toBe('p');

    await expect(
      db.query(`INSERT INTO learning_embeddings (item_id, tenant, embedding) VALUES ($1, $2, $3)`, [
        randomUUID(),
        tenant,
        toVector(unitVector(3)),
      ]),
    ).rejects.toMatchObject({
      driverError: expect.objectContaining({ constraint: 'fk_learning_embeddings_item' }),
    });
    await db.query('DELETE FROM learning_queue WHERE id = $1', [id]);
    expect(await stored()).toEqual([]);
  });
});
