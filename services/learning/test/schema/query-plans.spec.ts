import type { DataSource } from 'typeorm';
import {
  connectAsService,
  describePlan,
  explainEach,
  openLearningDb,
  planNodes,
  removeTenants,
  testTenant,
  toVector,
  unitVector,
  type PlanNode,
} from './learning-db';

describe('the learning queue’s query plans at a realistic size', () => {
  let db: DataSource;
  const small = testTenant('plan-small');
  const large = testTenant('plan-large');
  const others = Array.from({ length: 8 }, () => testTenant('plan'));
  const planted = toVector(unitVector(700, 0.05, 701));

  beforeAll(async () => {
    db = await openLearningDb();
    // Its own connection: the seeding is slow on purpose, and the service's pool logs slow queries.
    const seeder = await connectAsService();
    const started = performance.now();
    // 16,000 items of 8 tenants, across statuses and sources over about 11 days, not yet
    // embedded; then 4,000 embedded items of one large tenant, in 64 clusters, as texts about
    // the same few problems are; and 20 embedded items of a small tenant.
    await seeder.query(
      `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                   confidence_score, created_at)
       SELECT ($1::text[])[1 + g % 8],
              (ARRAY['pending', 'approved', 'rejected', 'applied'])[1 + (g / 8) % 4],
              (ARRAY['feedback', 'correction', 'transcript', 'manual'])[1 + (g / 32) % 4],
              '{}', 'item ' || g, 50 + g % 50, now() - make_interval(mins => g)
         FROM generate_series(1, 16000) g`,
      [others],
    );
    const embedded = (tenant: string, count: number) =>
      seeder.query(
        `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                     confidence_score, created_at, embedding)
         SELECT $1, (ARRAY['pending', 'approved', 'rejected', 'applied'])[1 + g % 4], 'feedback',
                '{}', 'item ' || g, 60, now() - make_interval(mins => g),
                (SELECT array_agg(CASE WHEN i % 64 = g % 64 THEN 1 ELSE 0 END
                                  + (random() - 0.5) * 0.02)
                   FROM generate_series(0, 767) i)::vector
           FROM generate_series(1, $2::int) g`,
        [tenant, count],
      );
    await embedded(large, 3999);
    await embedded(small, 19);
    for (const tenant of [large, small]) {
      await seeder.query(
        `INSERT INTO learning_queue (tenant, source_type, proposed_content, content,
                                     confidence_score, embedding)
         VALUES ($1, 'manual', '{}', 'the planted one', 60, $2)`,
        [tenant, planted],
      );
    }
    await seeder.query('ANALYZE learning_queue');
    await seeder.end();
    console.log(
      `[schema] 20,020 queue items inserted and analyzed in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }, 120_000);

  afterAll(async () => {
    if (!db?.isInitialized) return;
    await removeTenants(db, [small, large, ...others]);
    await db.destroy();
  });

  const PENDING = `SELECT id, content, created_at FROM learning_queue
                    WHERE tenant = $1 AND status = 'pending' ORDER BY created_at LIMIT 50`;

  it('reads a tenant’s pending items through idx_learning_pending, planned for the tenant or not', async () => {
    const [{ 'QUERY PLAN': custom }] = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${PENDING}`, [
      others[3],
    ]);
    const plan = custom[0].Plan as PlanNode;
    console.log(
      `[schema] pending lookup: ${describePlan(plan)}, ${custom[0]['Execution Time']} ms, ${plan['Actual Rows']} rows`,
    );
    expect(planNodes(plan).map((n) => n['Index Name'])).toContain('idx_learning_pending');
    expect(plan['Actual Rows']).toBe(50);

    // A statement the service prepares once is planned once for every tenant.
    const runner = db.createQueryRunner();
    try {
      await runner.query(`PREPARE pending_lookup(text) AS ${PENDING}`);
      await runner.query(`SET plan_cache_mode = force_generic_plan`);
      const [{ 'QUERY PLAN': generic }] = await runner.query(
        `EXPLAIN (FORMAT JSON) EXECUTE pending_lookup('${others[5]}')`,
      );
      console.log(`[schema] pending lookup, generic plan: ${describePlan(generic[0].Plan)}`);
      expect(planNodes(generic[0].Plan).map((n) => n['Index Name'])).toContain(
        'idx_learning_pending',
      );
    } finally {
      await runner.query('DEALLOCATE ALL');
      await runner.query('RESET plan_cache_mode');
      await runner.release();
    }
  });

  it('finds a large tenant’s near items through idx_learning_embedding_hnsw', async () => {
    const probe = toVector(unitVector(700));
    const { plans: statements } = await explainEach(
      'SELECT * FROM learning.check_similar_knowledge($1, $2, $3, 0.85)',
      [large, 'where is my parcel', probe],
    );
    const inner = statements.find((s) => s.text.includes('FROM learning_queue q'));
    expect(inner).toBeDefined();
    console.log(
      `[schema] check_similar_knowledge, large tenant (4,000 embedded): ${describePlan(inner!.plan)}, ${inner!.ms} ms`,
    );
    expect(planNodes(inner!.plan).map((n) => n['Index Name'])).toContain(
      'idx_learning_embedding_hnsw',
    );
    const [nearest] = await db.query(
      `SELECT content, similarity::float AS similarity FROM check_similar_knowledge($1, '', $2)`,
      [large, probe],
    );
    expect(nearest).toEqual({ content: 'the planted one', similarity: expect.closeTo(0.9988, 3) });
  });

  it('reads a small tenant’s few items exactly, without HNSW', async () => {
    const probe = toVector(unitVector(700));
    const { plans: statements } = await explainEach(
      'SELECT * FROM learning.check_similar_knowledge($1, $2, $3, 0.85)',
      [small, 'where is my parcel', probe],
    );
    const inner = statements.find((s) => s.text.includes('FROM learning_queue q'));
    console.log(
      `[schema] check_similar_knowledge, small tenant (20 embedded): ${describePlan(inner!.plan)}, ${inner!.ms} ms`,
    );
    expect(planNodes(inner!.plan).map((n) => n['Index Name'])).not.toContain(
      'idx_learning_embedding_hnsw',
    );
    const found = await db.query(`SELECT content FROM check_similar_knowledge($1, '', $2)`, [
      small,
      probe,
    ]);
    expect(found).toEqual([{ content: 'the planted one' }]);
  });
});
