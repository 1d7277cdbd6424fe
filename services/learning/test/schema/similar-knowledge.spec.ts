import type { DataSource } from 'typeorm';
import {
  embed,
  explainEach,
  isSimilarScan,
  openLearningDb,
  planNodes,
  removeTenants,
  testTenant,
  toVector,
  unitVector,
} from './learning-db';

/**
 * Small tenants are read exactly through their index. Sent to HNSW (learning.exact_scan_below
 * 0) and steered off sorting, the function goes through HNSW instead, which filters tenants, and
 * the queue's statuses, only after the scan: the same answers must come out of both.
 */
const THROUGH_HNSW = {
  'learning.exact_scan_below': '0',
  enable_sort: 'off',
  enable_seqscan: 'off',
  enable_bitmapscan: 'off',
};

describe.each([
  ['as planned', undefined],
  ['through HNSW', THROUGH_HNSW],
])('check_similar_knowledge, %s', (_mode, steering) => {
  let db: DataSource;
  const tenant = testTenant();
  const other = testTenant();
  const ids: Record<string, string> = {};
  // Every item lies in the plane of axes 10 and 11, at an angle from axis 10 (the probe):
  // its cosine similarity to the probe is cos(angle).
  const probe = toVector(unitVector(10));

  const similar = async (
    forTenant: string,
    options: { threshold?: number; limit?: number; exclude?: string } = {},
  ) => {
    const sql = `SELECT content, similarity FROM learning.check_similar_knowledge($1, 'where is my parcel',
                   $2, coalesce($3, 0.85), coalesce($4, 10), $5)`;
    const params = [
      forTenant,
      probe,
      options.threshold ?? null,
      options.limit ?? null,
      options.exclude ?? null,
    ];
    let rows: { content: string; similarity: string }[] = [];
    if (steering) {
      // HNSW is approximate and can only miss an item, never make one up: while another
      // suite's deletions or VACUUM are changing the graph, one search may miss one. The
      // fullest of three answers, half a second apart, is the index's answer.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
        const explained = await explainEach<{ content: string; similarity: string }>(
          sql,
          params,
          steering,
        );
        const inner = explained.plans.find(isSimilarScan);
        expect(planNodes(inner!.plan).map((n) => n['Index Name'])).toContain(
          'idx_learning_embedding_hnsw',
        );
        if (explained.rows.length > rows.length) rows = explained.rows;
      }
    } else {
      rows = await db.query(sql, params);
    }
    return rows.map((row) => [row.content, Number(Number(row.similarity).toFixed(4))]);
  };

  beforeAll(async () => {
    db = await openLearningDb();
    const items: [string, string, string, number | null][] = [
      [tenant, 'checked', 'pending', 0.05],
      [tenant, 'applied twin', 'applied', 0.15],
      [tenant, 'approved twin', 'approved', 0.2],
      [tenant, 'near', 'pending', 0.3],
      [tenant, 'rejected twin', 'rejected', 0.1],
      [tenant, 'far', 'pending', 0.7],
      [tenant, 'not embedded yet', 'pending', null],
      [other, 'other tenant', 'pending', 0],
    ];
    for (const [forTenant, content, status, angle] of items) {
      const [{ id }] = await db.query(
        `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                     confidence_score)
         VALUES ($1, $2, 'manual', '{}', $3, 60) RETURNING id`,
        [forTenant, status, content],
      );
      if (angle !== null) await embed(db, id, unitVector(10, angle, 11));
      ids[content] = id;
    }
  });
  afterAll(async () => {
    if (!db?.isInitialized) return;
    await removeTenants(db, [tenant, other]);
    await db.destroy();
  });

  it('returns the tenant’s live items at or above the threshold, nearest first', async () => {
    expect(await similar(tenant)).toEqual([
      ['checked', 0.9988],
      ['applied twin', 0.9888],
      ['approved twin', 0.9801],
      ['near', 0.9553],
    ]);
  });

  it('leaves out the item being checked', async () => {
    expect(await similar(tenant, { exclude: ids.checked })).toEqual([
      ['applied twin', 0.9888],
      ['approved twin', 0.9801],
      ['near', 0.9553],
    ]);
  });

  it('follows the threshold and the limit it is given', async () => {
    expect((await similar(tenant, { threshold: 0.7 })).map(([content]) => content)).toEqual([
      'checked',
      'applied twin',
      'approved twin',
      'near',
      'far',
    ]);
    expect(await similar(tenant, { threshold: 0.99 })).toEqual([['checked', 0.9988]]);
    expect(await similar(tenant, { limit: 2 })).toEqual([
      ['checked', 0.9988],
      ['applied twin', 0.9888],
    ]);
  });

  it('never returns another tenant’s items', async () => {
    expect(await similar(other)).toEqual([['other tenant', 1]]);
    expect(await similar(testTenant())).toEqual([]);
  });
});
