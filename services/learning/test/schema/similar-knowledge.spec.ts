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
  // Every item lies in one plane, at an angle from the probe's direction: its cosine
  // similarity to the probe is cos(angle). The plane is spanned by two dense directions, not
  // two axes: other suites leave sparse vectors in the shared index (a short text's hashed
  // embedding can be a single axis), and exact duplicates of the probe would crowd the
  // approximate search.
  const [u, v] = densePlane(768);
  const inPlane = (angle: number) => u.map((x, i) => Math.cos(angle) * x + Math.sin(angle) * v[i]);
  const probe = toVector(inPlane(0));

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
      if (angle !== null) await embed(db, id, inPlane(angle));
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

/** Two orthonormal directions with every coordinate set, from a fixed seed. */
function densePlane(dimensions: number): [number[], number[]] {
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  const unit = (w: number[]) => {
    const norm = Math.hypot(...w);
    return w.map((x) => x / norm);
  };
  const u = unit(Array.from({ length: dimensions }, next));
  const raw = Array.from({ length: dimensions }, next);
  const along = raw.reduce((sum, x, i) => sum + x * u[i], 0);
  return [u, unit(raw.map((x, i) => x - along * u[i]))];
}
