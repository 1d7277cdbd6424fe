import type { DataSource } from 'typeorm';
import { EXACT_SCAN_BELOW } from '../../src/migrations/1766000000000-create-learning-tables';
import { waitFor } from '@refinery/testing';
import {
  connectAsService,
  describePlan,
  explainEach,
  isSimilarScan,
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
  /** Cluster 7's centre (applied items) turned by `angle` towards axis 700, outside it. */
  const nearCluster7 = (angle: number) =>
    toVector(
      Array.from({ length: 768 }, (_, i) =>
        i === 700 ? Math.sin(angle) : i % 64 === 7 ? Math.cos(angle) / Math.sqrt(12) : 0,
      ),
    );
  // The large tenant's planted item sits inside cluster 7, so it stays in its neighbours' HNSW
  // links: an item far from every cluster (cosine 0.27 to the nearest) kept only a few, and
  // when another suite's VACUUM repaired those neighbours' links after its deletions, they
  // could all go and leave the item unreachable (4 searches in 10 missed it, in a replay).
  const plantedNearCluster = nearCluster7(0.15);
  // Over the size from which check_similar_knowledge goes through HNSW.
  const largeEmbedded = EXACT_SCAN_BELOW + 1_000;
  /**
   * Embedded item g is in cluster g % 64 (ones on the axes i with i % 64 = g % 64, and a little
   * noise), and its status is the (g % 4)th: a cluster's items all have the same status.
   */
  const towards = (weights: Record<number, number>) =>
    toVector(Array.from({ length: 768 }, (_, i) => weights[i % 64] ?? 0));

  beforeAll(async () => {
    db = await openLearningDb();
    // Its own connection: the seeding is slow on purpose, and the service's pool logs slow queries.
    const seeder = await connectAsService();
    const started = performance.now();
    // 16,000 items of 8 tenants, across statuses and sources over about 11 days, not yet
    // embedded; then 6,000 embedded items of one large tenant, in 64 clusters, as texts about
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
        `WITH item AS (
           INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                       confidence_score, created_at)
           SELECT $1, (ARRAY['pending', 'approved', 'rejected', 'applied'])[1 + g % 4],
                  'feedback', '{}', 'item ' || g, 60, now() - make_interval(mins => g)
             FROM generate_series(1, $2::int) g
           RETURNING id, tenant, split_part(content, ' ', 2)::int AS g)
         INSERT INTO learning_embeddings (item_id, tenant, embedding)
         SELECT id, tenant,
                (SELECT array_agg(CASE WHEN i % 64 = g % 64 THEN 1 ELSE 0 END
                                  + (random() - 0.5) * 0.02)
                   FROM generate_series(0, 767) i)::vector
           FROM item`,
        [tenant, count],
      );
    await embedded(large, largeEmbedded - 1);
    await embedded(small, 19);
    for (const [tenant, vector] of [
      [large, plantedNearCluster],
      [small, planted],
    ]) {
      await seeder.query(
        `WITH item AS (
           INSERT INTO learning_queue (tenant, source_type, proposed_content, content,
                                       confidence_score)
           VALUES ($1, 'manual', '{}', 'the planted one', 60)
           RETURNING id, tenant)
         INSERT INTO learning_embeddings (item_id, tenant, embedding)
         SELECT id, tenant, $2 FROM item`,
        [tenant, vector],
      );
    }
    await seeder.query('ANALYZE learning_queue, learning_embeddings');
    await seeder.end();
    console.log(
      `[schema] ${(16_000 + largeEmbedded + 20).toLocaleString('en')} queue items inserted and analyzed in ${(performance.now() - started).toFixed(0)} ms`,
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
    // cos(0.05) = 0.9988 from the planted item; about cos(0.2) = 0.98 from cluster 7's.
    const probe = nearCluster7(0.2);
    const { plans: statements } = await explainEach(
      'SELECT * FROM learning.check_similar_knowledge($1, $2, $3, 0.85)',
      [large, 'where is my parcel', probe],
    );
    const inner = statements.find(isSimilarScan);
    expect(inner).toBeDefined();
    console.log(
      `[schema] check_similar_knowledge, large tenant (${largeEmbedded.toLocaleString('en')} embedded): ${describePlan(inner!.plan)}, ${inner!.ms} ms`,
    );
    expect(planNodes(inner!.plan).map((n) => n['Index Name'])).toContain(
      'idx_learning_embedding_hnsw',
    );
    // Another suite's VACUUM of the embeddings may be repairing the HNSW graph right now, and
    // a search during that can miss an item for a moment: ask again for a few seconds.
    const nearestOf = async () =>
      (
        await db.query(
          `SELECT content, similarity::float AS similarity FROM check_similar_knowledge($1, '', $2)`,
          [large, probe],
        )
      )[0] as { content: string; similarity: number } | undefined;
    const nearest = await waitFor(async () => {
      const found = await nearestOf();
      return found?.content === 'the planted one' ? found : false;
    }, 10_000).catch(nearestOf);
    expect(nearest).toEqual({ content: 'the planted one', similarity: expect.closeTo(0.9988, 3) });
  });

  it('leaves a large tenant’s rejected items and the item checked out, through HNSW', async () => {
    // Nearest (0.96) to cluster 6, whose ~94 items are all rejected; then (0.29) to cluster 5's,
    // all approved.
    const probe = towards({ 6: 1, 5: 0.3 });
    const similar = (exclude: string | null) =>
      explainEach<{ id: string; status: string }>(
        `SELECT s.id, q.status FROM learning.check_similar_knowledge($1, '', $2, 0.25, 10, $3) s
           JOIN learning.learning_queue q USING (id)`,
        [large, probe, exclude],
      );
    const { rows, plans } = await similar(null);
    expect(planNodes(plans.find(isSimilarScan)!.plan).map((n) => n['Index Name'])).toContain(
      'idx_learning_embedding_hnsw',
    );
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(['approved']));
    const { rows: without } = await similar(rows[0].id);
    expect(without).toHaveLength(10);
    expect(without.map((row) => row.id)).not.toContain(rows[0].id);
    expect(new Set(without.map((row) => row.status))).toEqual(new Set(['approved']));
  });

  it('reads a small tenant’s few items exactly, without HNSW', async () => {
    const probe = toVector(unitVector(700));
    const { plans: statements } = await explainEach(
      'SELECT * FROM learning.check_similar_knowledge($1, $2, $3, 0.85)',
      [small, 'where is my parcel', probe],
    );
    const inner = statements.find(isSimilarScan);
    console.log(
      `[schema] check_similar_knowledge, small tenant (20 embedded): ${describePlan(inner!.plan)}, ${inner!.ms} ms`,
    );
    const indexes = planNodes(inner!.plan).map((n) => n['Index Name']);
    expect(indexes).not.toContain('idx_learning_embedding_hnsw');
    expect(indexes).toContain('idx_learning_embeddings_tenant');
    const found = await db.query(`SELECT content FROM check_similar_knowledge($1, '', $2)`, [
      small,
      probe,
    ]);
    expect(found).toEqual([{ content: 'the planted one' }]);
  });

  it('picks batch_process_learning’s approved items, decided first, through idx_learning_approved', async () => {
    // Planned, not run: it would lock (and, run by the function, apply) other tests' items.
    const [{ 'QUERY PLAN': plan }] = await db.query(
      `EXPLAIN (FORMAT JSON) SELECT id FROM learning_queue WHERE status = 'approved'
        ORDER BY decided_at, created_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
    );
    console.log(`[schema] batch_process_learning's pick: ${describePlan(plan[0].Plan)}`);
    expect(planNodes(plan[0].Plan).map((n) => n['Index Name'])).toContain('idx_learning_approved');
    expect(planNodes(plan[0].Plan).map((n) => n['Node Type'])).not.toContain('Sort');
  });
});
