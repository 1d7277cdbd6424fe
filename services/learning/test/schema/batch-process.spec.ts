import { runMigrations } from '@refinery/persistence';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  connectAsService,
  createScratchSchema,
  insertInteraction,
  type ScratchSchema,
} from './learning-db';

/**
 * batch_process_learning applies every tenant's approved items, so it runs in a schema of its
 * own: in the shared one it would take other tests' items too.
 */
describe('batch_process_learning', () => {
  let scratch: ScratchSchema;
  let db: DataSource;
  const tenant = 'batch-tenant';

  beforeAll(async () => {
    scratch = await createScratchSchema('learning_batch');
    db = scratch.dataSource;
    await runMigrations(db);
  });
  afterAll(() => scratch?.drop());

  const insertApproved = (count: number, decidedSecondsAgo: (i: number) => number) =>
    db.query(
      `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content,
                                   confidence_score, decided_by, decided_at)
       SELECT $1, 'approved', 'manual', '{}', 'item ' || i, 70, 'key-1',
              now() - make_interval(secs => ($2::float8[])[i])
         FROM generate_series(1, $3::int) i
       RETURNING id, content`,
      [tenant, Array.from({ length: count }, (_, i) => decidedSecondsAgo(i + 1)), count],
    );

  it('applies the approved items decided first, and only approved ones', async () => {
    const items: { id: string; content: string }[] = await insertApproved(3, (i) => 10 - i);
    await db.query(
      `INSERT INTO learning_queue (tenant, status, source_type, proposed_content, content, confidence_score)
       VALUES ($1, 'pending', 'manual', '{}', 'waits', 70), ($1, 'rejected', 'manual', '{}', 'no', 70)`,
      [tenant],
    );
    const applyBatch = async (size: number) =>
      (await db.query('SELECT batch_process_learning($1) AS n', [size]))[0].n;

    expect(await applyBatch(2)).toBe(2);
    const applied = await db.query(
      `SELECT content FROM learning_queue WHERE status = 'applied' AND applied_at IS NOT NULL ORDER BY content`,
    );
    // Decided 9 and 8 seconds ago, before the one decided 7 seconds ago.
    expect(applied).toEqual([{ content: 'item 1' }, { content: 'item 2' }]);
    expect(await applyBatch(2)).toBe(1);
    expect(await applyBatch(2)).toBe(0);
    const statuses = await db.query(
      'SELECT status, count(*)::int AS n FROM learning_queue GROUP BY status ORDER BY status',
    );
    expect(statuses).toEqual([
      { status: 'applied', n: 3 },
      { status: 'pending', n: 1 },
      { status: 'rejected', n: 1 },
    ]);
    expect(items).toHaveLength(3);
  });

  it('shares 1,000 approved items among four concurrent callers, applying each exactly once', async () => {
    await db.query('DELETE FROM learning_queue');
    await db.query('DELETE FROM learning_audit_log');
    // 200 urgent corrections approve their items themselves; 50 normal ones stay pending.
    for (let i = 0; i < 250; i++) {
      const interaction = await insertInteraction(db, { tenant });
      await db.query(
        `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer, priority)
         VALUES ($1, $2, '{"label": "damaged"}', '{"label": "lost_in_transit"}', $3)`,
        [interaction, tenant, i < 200 ? 'urgent' : 'normal'],
      );
    }
    await insertApproved(800, (i) => i % 97);

    const workers: Client[] = [];
    try {
      for (let w = 0; w < 4; w++) workers.push(await connectAsService(scratch.schema));
      const started = performance.now();
      const perWorker = await Promise.all(
        workers.map(async (client, w) => {
          const counts: number[] = [];
          for (;;) {
            await client.query('BEGIN');
            await client.query(`SELECT set_config('learning.actor', $1, true)`, [`worker-${w}`]);
            const { rows } = await client.query('SELECT batch_process_learning(50) AS n');
            await client.query('COMMIT');
            if (rows[0].n === 0) return counts;
            counts.push(rows[0].n);
          }
        }),
      );
      const ms = performance.now() - started;
      const sums = perWorker.map((counts) => counts.reduce((a, b) => a + b, 0));
      console.log(
        `[schema] batch_process_learning(50), 4 callers: ${sums.join(' + ')} items ` +
          `in ${perWorker.map((c) => c.length).join('/')} calls, ${ms.toFixed(0)} ms in all`,
      );
      expect(sums.reduce((a, b) => a + b, 0)).toBe(1000);
    } finally {
      await Promise.all(workers.map((client) => client.end()));
    }

    const [queue] = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'applied' AND applied_at IS NOT NULL)::int AS applied,
              count(*) FILTER (WHERE status = 'pending')::int AS pending
         FROM learning_queue`,
    );
    expect(queue).toEqual({ applied: 1000, pending: 50 });
    // Applied twice would show as a second approved -> applied change of the same item.
    const changes = await db.query(
      `SELECT count(*)::int AS changes, count(DISTINCT item_id)::int AS items,
              count(DISTINCT actor)::int AS actors
         FROM learning_audit_log WHERE from_status = 'approved' AND to_status = 'applied'`,
    );
    expect(changes).toEqual([{ changes: 1000, items: 1000, actors: expect.any(Number) }]);
    const actors = await db.query(
      `SELECT DISTINCT actor FROM learning_audit_log WHERE to_status = 'applied' ORDER BY actor`,
    );
    expect(actors.every((a: { actor: string }) => /^worker-[0-3]$/.test(a.actor))).toBe(true);
    // Each urgent correction is marked applied with its item; the normal ones are not.
    const corrections = await db.query(
      `SELECT priority, count(*)::int AS n, count(applied_at)::int AS applied
         FROM corrections GROUP BY priority ORDER BY priority`,
    );
    expect(corrections).toEqual([
      { priority: 'normal', n: 50, applied: 0 },
      { priority: 'urgent', n: 200, applied: 200 },
    ]);
  });

  it('applies a batch of 100 (timing reported, not asserted)', async () => {
    await insertApproved(100, (i) => i);
    const started = performance.now();
    const [{ n }] = await db.query('SELECT batch_process_learning(100) AS n');
    console.log(
      `[schema] batch_process_learning(100): ${(performance.now() - started).toFixed(1)} ms`,
    );
    expect(n).toBe(100);
  });
});
