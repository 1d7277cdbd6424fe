import type { DataSource } from 'typeorm';
import { insertInteraction, openLearningDb, removeTenants, testTenant } from './learning-db';

describe('the learning metrics views', () => {
  let db: DataSource;
  const queueTenant = testTenant();
  const responseTenant = testTenant();

  /** Refreshed concurrently, in a session whose day is not the UTC day. */
  const refresh = async () => {
    const runner = db.createQueryRunner();
    try {
      await runner.query(`SET TimeZone = 'America/New_York'`);
      const started = performance.now();
      await runner.query('REFRESH MATERIALIZED VIEW CONCURRENTLY daily_learning_metrics');
      await runner.query('REFRESH MATERIALIZED VIEW CONCURRENTLY response_performance_metrics');
      const [{ items }] = await runner.query('SELECT count(*)::int AS items FROM learning_queue');
      console.log(
        `[schema] both views refreshed concurrently in ${(performance.now() - started).toFixed(0)} ms (${items} queue items)`,
      );
    } finally {
      await runner.query('RESET TimeZone');
      await runner.release();
    }
  };

  beforeAll(async () => {
    db = await openLearningDb();
  });
  afterAll(async () => {
    if (!db?.isInitialized) return;
    await removeTenants(db, [queueTenant, responseTenant]);
    await db.destroy();
  });

  it('counts queue items per UTC day, tenant, source and status, with their average confidence', async () => {
    const items: [string, string, string, number][] = [
      ['2026-03-01T10:00:00Z', 'feedback', 'pending', 60],
      ['2026-03-01T10:05:00Z', 'feedback', 'pending', 60],
      ['2026-03-01T23:30:00Z', 'feedback', 'pending', 40],
      ['2026-03-01T12:00:00Z', 'correction', 'approved', 90],
      // Still 1 March in New York, already 2 March in UTC.
      ['2026-03-02T00:30:00Z', 'feedback', 'pending', 80],
    ];
    for (const [at, source, status, confidence] of items) {
      await db.query(
        `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                     confidence_score, created_at)
         VALUES ($1, $2, $3, '{}', 'x', $4, $5)`,
        [queueTenant, status, source, confidence, at],
      );
    }
    await refresh();
    type Figures = { day: Date; source_type: string; status: string; items: number };
    const figures = async () => {
      const rows: Figures[] = await db.query(
        `SELECT day, source_type, status, items, avg_confidence FROM daily_learning_metrics
          WHERE tenant = $1 ORDER BY day, source_type, status`,
        [queueTenant],
      );
      return rows.map((row) => ({ ...row, day: row.day.toISOString().slice(0, 10) }));
    };
    expect(await figures()).toEqual([
      {
        day: '2026-03-01',
        source_type: 'correction',
        status: 'approved',
        items: 1,
        avg_confidence: '90.00',
      },
      {
        day: '2026-03-01',
        source_type: 'feedback',
        status: 'pending',
        items: 3,
        avg_confidence: '53.33',
      },
      {
        day: '2026-03-02',
        source_type: 'feedback',
        status: 'pending',
        items: 1,
        avg_confidence: '80.00',
      },
    ]);

    // Refreshed again, concurrently, it follows a status change.
    await db.query(
      `UPDATE learning_queue SET status = 'approved' WHERE tenant = $1 AND confidence_score = 40`,
      [queueTenant],
    );
    await refresh();
    expect((await figures()).map((f) => [f.day, f.source_type, f.status, f.items])).toEqual([
      ['2026-03-01', 'correction', 'approved', 1],
      ['2026-03-01', 'feedback', 'approved', 1],
      ['2026-03-01', 'feedback', 'pending', 2],
      ['2026-03-02', 'feedback', 'pending', 1],
    ]);
  });

  it('rates responses per tenant, type, UTC day and variant by their interactions’ feedback and conversions', async () => {
    const tenant = responseTenant;
    const [i1, i2, i3, i4] = [
      await insertInteraction(db, { tenant }),
      await insertInteraction(db, { tenant }),
      await insertInteraction(db, { tenant }),
      await insertInteraction(db, { tenant }),
    ];
    const responses: [string, string, string | null, string, boolean | null][] = [
      [i1, 'reply', 'A', '2026-03-01T10:00:00Z', true],
      [i2, 'reply', 'A', '2026-03-01T11:00:00Z', false],
      [i3, 'reply', 'A', '2026-03-01T12:00:00Z', null],
      [i4, 'reply', null, '2026-03-01T12:00:00Z', null],
      [i1, 'summary', 'B', '2026-03-02T00:30:00Z', true],
    ];
    for (const [interaction, type, variant, at, converted] of responses) {
      await db.query(
        `INSERT INTO response_analytics (interaction_id, tenant, response_type, ab_variant,
                                         created_at, led_to_conversion, user_engagement_score)
         VALUES ($1, $2, $3, $4, $5, $6, 50)`,
        [interaction, tenant, type, variant, at, converted],
      );
    }
    const feedback: [string, string, number | null][] = [
      [i1, 'thumbs_up', null],
      [i1, 'star_rating', 2],
      [i2, 'thumbs_down', null],
      [i4, 'emoji', 5],
    ];
    for (const [interaction, type, rating] of feedback) {
      await db.query(
        `INSERT INTO feedback (interaction_id, tenant, feedback_type, rating) VALUES ($1, $2, $3, $4)`,
        [interaction, tenant, type, rating],
      );
    }
    await refresh();
    const rows = await db.query(
      `SELECT response_type, day, ab_variant, responses, feedback, feedback_rate, negative_rate,
              conversion_rate
         FROM response_performance_metrics WHERE tenant = $1
        ORDER BY response_type, day, ab_variant`,
      [tenant],
    );
    expect(
      rows.map((row: { day: Date }) => ({ ...row, day: row.day.toISOString().slice(0, 10) })),
    ).toEqual([
      // No experiment: one response, its one (positive) feedback, no known conversion.
      {
        response_type: 'reply',
        day: '2026-03-01',
        ab_variant: '',
        responses: 1,
        feedback: 1,
        feedback_rate: '1.0000',
        negative_rate: '0.0000',
        conversion_rate: null,
      },
      // Two of three responses had feedback; two of its three were negative (a thumbs down,
      // a rating of 2); one of the two known outcomes converted.
      {
        response_type: 'reply',
        day: '2026-03-01',
        ab_variant: 'A',
        responses: 3,
        feedback: 3,
        feedback_rate: '0.6667',
        negative_rate: '0.6667',
        conversion_rate: '0.5000',
      },
      {
        response_type: 'summary',
        day: '2026-03-02',
        ab_variant: 'B',
        responses: 1,
        feedback: 2,
        feedback_rate: '1.0000',
        negative_rate: '0.5000',
        conversion_rate: '1.0000',
      },
    ]);
  });
});
