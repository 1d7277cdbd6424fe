import type { DataSource } from 'typeorm';
import {
  connectAsService,
  insertInteraction,
  openLearningDb,
  removeTenants,
  testTenant,
} from './learning-db';

interface QueueItem {
  id: string;
  tenant: string;
  status: string;
  source_type: string;
  source_id: string;
  interaction_id: string;
  confidence_score: string;
  proposed_content: Record<string, unknown>;
  content: string;
  decided_by: string | null;
  decided_at: Date | null;
}

describe('the learning tables’ triggers', () => {
  let db: DataSource;
  const tenants: string[] = [];
  const newTenant = () => {
    const tenant = testTenant();
    tenants.push(tenant);
    return tenant;
  };
  const queueOf = (tenant: string): Promise<QueueItem[]> =>
    db.query('SELECT * FROM learning_queue WHERE tenant = $1 ORDER BY created_at, id', [tenant]);

  beforeAll(async () => {
    db = await openLearningDb();
  });
  afterAll(async () => {
    if (!db?.isInitialized) return;
    await removeTenants(db, tenants);
    await db.destroy();
  });

  const addFeedback = async (
    interaction: string,
    tenant: string,
    type: string,
    rating: number | null = null,
    reason: string | null = null,
  ): Promise<string> => {
    const [{ id }] = await db.query(
      `INSERT INTO feedback (interaction_id, tenant, feedback_type, rating, reason, created_by)
       VALUES ($1, $2, $3, $4, $5, 'key-1') RETURNING id`,
      [interaction, tenant, type, rating, reason],
    );
    return id;
  };

  it('enqueues a pending item for a thumbs down or a rating of 2 or less, and nothing else', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    await addFeedback(interaction, tenant, 'thumbs_up');
    await addFeedback(interaction, tenant, 'star_rating', 4);
    await addFeedback(interaction, tenant, 'star_rating', 3);
    await addFeedback(interaction, tenant, 'emoji', 5);
    expect(await queueOf(tenant)).toEqual([]);

    const down = await addFeedback(
      interaction,
      tenant,
      'thumbs_down',
      null,
      'It was damaged, not lost',
    );
    const two = await addFeedback(interaction, tenant, 'star_rating', 2);
    const one = await addFeedback(interaction, tenant, 'emoji', 1, '   ');
    const queued = await queueOf(tenant);
    expect(queued.map((item) => item.source_id)).toEqual([down, two, one]);
    for (const item of queued) {
      expect(item).toMatchObject({
        status: 'pending',
        source_type: 'feedback',
        interaction_id: interaction,
        confidence_score: '60.00',
        decided_by: null,
      });
    }
    expect(queued[0].proposed_content).toEqual({
      input: { order_number: 'A-1', description: 'The parcel never arrived.' },
      answer: {
        label: 'lost_in_transit',
        action: 'reship',
        confidence: 0.72,
        model_name: 'classifier',
        model_version: '2026-01',
      },
      feedback_type: 'thumbs_down',
      rating: null,
      reason: 'It was damaged, not lost',
    });
    // The reason is what is compared for similarity; without one (or a blank one), the input.
    expect(queued.map((item) => item.content)).toEqual([
      'It was damaged, not lost',
      'The parcel never arrived.',
      'The parcel never arrived.',
    ]);
  });

  it('uses an order’s whole input as its text, having no description', async () => {
    const tenant = newTenant();
    const input = { order_number: 'B-7', total: 19, items: [{ sku: 'SKU-1', quantity: 2 }] };
    const interaction = await insertInteraction(db, { tenant, input, label: null, action: null });
    await addFeedback(interaction, tenant, 'thumbs_down');
    const [item] = await queueOf(tenant);
    expect(JSON.parse(item.content)).toEqual(input);
    expect(item.proposed_content.answer).toMatchObject({ label: null, action: null });
  });

  it('enqueues every correction at confidence 90: an urgent one approved, any other pending', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    const ids: Record<string, string> = {};
    for (const priority of ['normal', 'low', 'high', 'urgent']) {
      const [{ id }] = await db.query(
        `INSERT INTO corrections (interaction_id, tenant, original_response, corrected_answer, priority, reason)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          interaction,
          tenant,
          { label: 'lost_in_transit', action: 'reship' },
          { label: 'damaged', action: 'refund' },
          priority,
          priority === 'high' ? null : `the box was crushed (${priority})`,
        ],
      );
      ids[priority] = id;
    }
    const queued = await queueOf(tenant);
    const bySource = Object.fromEntries(queued.map((item) => [item.source_id, item]));

    for (const priority of ['normal', 'low', 'high']) {
      expect(bySource[ids[priority]]).toMatchObject({
        status: 'pending',
        source_type: 'correction',
        confidence_score: '90.00',
        decided_by: null,
        decided_at: null,
      });
    }
    expect(bySource[ids.urgent]).toMatchObject({
      status: 'approved',
      confidence_score: '90.00',
      decided_by: 'auto:urgent',
      decided_at: expect.any(Date),
    });
    expect(bySource[ids.normal].proposed_content).toEqual({
      input: { order_number: 'A-1', description: 'The parcel never arrived.' },
      original_response: { label: 'lost_in_transit', action: 'reship' },
      corrected_answer: { label: 'damaged', action: 'refund' },
      reason: 'the box was crushed (normal)',
      priority: 'normal',
    });
    expect(bySource[ids.normal].content).toBe('the box was crushed (normal)');
    expect(bySource[ids.high].content).toBe('The parcel never arrived.');
  });

  it('moves updated_at on every update of a queue item', async () => {
    const tenant = newTenant();
    // Compared in SQL: the timestamps differ by microseconds, which a JavaScript Date drops.
    const [{ id, created_at, fresh }] = await db.query(
      `INSERT INTO learning_queue (tenant, source_type, proposed_content, content, confidence_score)
       VALUES ($1, 'manual', '{}', 'x', 50) RETURNING id, created_at::text, updated_at = created_at AS fresh`,
      [tenant],
    );
    expect(fresh).toBe(true);
    const [[first]] = await db.query(
      `UPDATE learning_queue SET content = 'y' WHERE id = $1
       RETURNING updated_at > created_at AS moved, updated_at::text`,
      [id],
    );
    const [[second]] = await db.query(
      `UPDATE learning_queue SET confidence_score = 55 WHERE id = $1
       RETURNING updated_at > $2::timestamptz AS moved, created_at::text`,
      [id, first.updated_at],
    );
    expect([first.moved, second.moved]).toEqual([true, true]);
    expect(second.created_at).toBe(created_at);
  });

  it('audits each insert and status change, with the actor and note the transaction set', async () => {
    const tenant = newTenant();
    const [{ id }] = await db.query(
      `INSERT INTO learning_queue (tenant, source_type, proposed_content, content, confidence_score)
       VALUES ($1, 'manual', '{}', 'x', 50) RETURNING id`,
      [tenant],
    );
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('learning.actor', 'key-42', true),
                             set_config('learning.note', 'matches the carrier report', true)`);
      await tx.query(
        `UPDATE learning_queue SET status = 'approved', decided_by = 'key-42' WHERE id = $1`,
        [id],
      );
      // Neither another column nor the same status again is a status change.
      await tx.query(`UPDATE learning_queue SET content = 'x2' WHERE id = $1`, [id]);
      await tx.query(`UPDATE learning_queue SET status = 'approved' WHERE id = $1`, [id]);
    });
    // The settings were the transaction's own: the next change is the system's.
    await db.query(`UPDATE learning_queue SET status = 'applied' WHERE id = $1`, [id]);

    const trail = await db.query(
      `SELECT tenant, from_status, to_status, actor, note FROM learning_audit_log
        WHERE item_id = $1 ORDER BY id`,
      [id],
    );
    expect(trail).toEqual([
      { tenant, from_status: null, to_status: 'pending', actor: 'system', note: null },
      {
        tenant,
        from_status: 'pending',
        to_status: 'approved',
        actor: 'key-42',
        note: 'matches the carrier report',
      },
      { tenant, from_status: 'approved', to_status: 'applied', actor: 'system', note: null },
    ]);
  });

  it('keeps the cost of the feedback trigger small (reported, not asserted)', async () => {
    const tenant = newTenant();
    const interaction = await insertInteraction(db, { tenant });
    const client = await connectAsService();
    const runs = 200;
    const insert = (type: string) =>
      client.query(
        `INSERT INTO feedback (interaction_id, tenant, feedback_type, reason, created_by)
         VALUES ($1, $2, $3, 'wrong label', 'key-1')`,
        [interaction, tenant, type],
      );
    const averageMs = async (type: string) => {
      const started = performance.now();
      for (let i = 0; i < runs; i++) await insert(type);
      return (performance.now() - started) / runs;
    };
    try {
      await averageMs('thumbs_up'); // warm up the connection, the plans and the caches
      const positive = await averageMs('thumbs_up');
      const negative = await averageMs('thumbs_down');
      // As the server measures it: the whole INSERT, and the trigger (its own INSERT included).
      const statementMs: number[] = [];
      const triggerMs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { rows } = await client.query(
          `EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO feedback (interaction_id, tenant, feedback_type, reason)
           VALUES ($1, $2, 'thumbs_down', 'wrong label')`,
          [interaction, tenant],
        );
        const [explained] = rows[0]['QUERY PLAN'] as {
          'Execution Time': number;
          Triggers: { 'Trigger Name': string; Time: number }[];
        }[];
        statementMs.push(explained['Execution Time']);
        triggerMs.push(
          explained.Triggers.find((t) => t['Trigger Name'] === 'trg_feedback_learning')!.Time,
        );
      }
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      console.log(
        `[schema] feedback INSERT, average over ${runs} each, with its commit: ` +
          `${negative.toFixed(3)} ms firing the trigger, ${positive.toFixed(3)} ms not firing it; ` +
          `on the server, over 20: ${mean(statementMs).toFixed(3)} ms the INSERT, ` +
          `${mean(triggerMs).toFixed(3)} ms of it the trigger`,
      );
    } finally {
      await client.end();
    }
    const [{ items }] = await db.query(
      `SELECT count(*)::int AS items FROM learning_queue WHERE tenant = $1 AND source_type = 'feedback'`,
      [tenant],
    );
    expect(items).toBe(runs + 20);
  });
});
