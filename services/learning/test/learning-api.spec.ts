import { randomUUID } from 'node:crypto';
import { subjectOf, type EventPayload } from '@refinery/contracts';
import {
  adminClient,
  apiCall,
  Bus,
  completedException,
  receivedTranscript,
  startServiceProcess,
  storedMessages,
  TestTenants,
  waitFor,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';

type Applied = EventPayload<'learning.applied'>;

interface Item {
  id: string;
  status: string;
  source_type: string;
  source_id: string;
  record_id: string | null;
  duplicate_of: string | null;
  confidence_score: number;
  similarity: number;
  proposed_content: Record<string, unknown>;
}

/** The fields these tests read from the API's answers. */
interface Answer {
  id: string;
  status: string;
  detail: string;
  learning_item: Item;
  items: Item[];
  errors: Array<{ path: string; message: string }>;
  daily_learning_metrics: Array<{ source_type: string }>;
  response_performance_metrics: unknown[];
}

/**
 * The learning service as its own process, following one tenant, fed enrichment results on
 * the bus as resolution publishes them, driven over its HTTP API like a reviewer's tool.
 */
describe('learning', () => {
  let tenants: TestTenants;
  let tenant: TestTenant;
  let other: TestTenant;
  let learning: ServiceProcess;
  let bus: Bus;

  beforeAll(async () => {
    tenants = await TestTenants.open();
    tenant = await tenants.create({ prefix: 'learn' });
    other = await tenants.create({ prefix: 'learn-other' });
    learning = await startServiceProcess('learning', {
      LEARNING_TENANT: tenant.slug,
      LEARNING_APPLY_INTERVAL: '0',
      LEARNING_REFRESH_INTERVAL: '0',
      LEARNING_RECORD_GRACE: '2s',
    });
    bus = await Bus.open();
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await learning?.stop();
    await tenants?.close();
  });

  const call = (method: string, path: string, body?: unknown, key = tenant.apiKey) =>
    apiCall<Answer>(learning.url, key, method, path, body);

  const enriched = async (answer: Parameters<typeof completedException>[1]) => {
    const event = completedException(tenant.slug, answer);
    await bus.publish(event);
    return event.payload.record_id;
  };

  it('turns a thumbs-down into a pending learning item, and a thumbs-up into none', async () => {
    const record = await enriched({ label: 'DELIVERY_DELAY', action: 'CONTACT_CARRIER' });
    const down = await call('POST', '/api/feedback/rating', {
      record_id: record,
      feedback_type: 'thumbs_down',
      reason: 'The parcel was damaged, not late: the label is wrong.',
    });
    expect(down.status).toBe(201);
    expect(down.body.learning_item).toMatchObject({
      status: 'pending',
      source_type: 'feedback',
      source_id: down.body.id,
      record_id: record,
      duplicate_of: null,
    });
    const up = await call('POST', '/api/feedback/rating', {
      record_id: record,
      feedback_type: 'thumbs_up',
    });
    expect(up).toMatchObject({ status: 201, body: { learning_item: null } });
    const star = await call('POST', '/api/feedback/rating', {
      record_id: record,
      feedback_type: 'star_rating',
      rating: 2,
    });
    expect(star.body.learning_item).toMatchObject({ status: 'pending' });
    const pending = await call('GET', '/api/feedback/pending');
    expect(pending.body.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([down.body.learning_item.id, star.body.learning_item.id]),
    );
  });

  it('names what is wrong in a body, and answers 404 for a record it does not know', async () => {
    const bad = await call('POST', '/api/feedback/rating', {
      record_id: 'nope',
      feedback_type: 'meh',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual([
      'extra',
      'feedback_type',
      'record_id',
    ]);
    const stars = await call('POST', '/api/feedback/rating', {
      record_id: randomUUID(),
      feedback_type: 'star_rating',
    });
    expect(stars.body.errors).toEqual([
      { path: 'rating', message: 'a star_rating needs a rating from 1 to 5' },
    ]);
    const started = Date.now();
    const unknown = await call('POST', '/api/feedback/rating', {
      record_id: randomUUID(),
      feedback_type: 'thumbs_down',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/is not known to learning/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('links a paraphrase of an existing correction as a duplicate instead of queueing it twice', async () => {
    const first = await enriched({ label: 'DELIVERY_DELAY', action: 'CONTACT_CARRIER' });
    const second = await enriched({ label: 'DELIVERY_DELAY', action: 'CONTACT_CARRIER' });
    const original = await call('POST', '/api/feedback/correction', {
      record_id: first,
      corrected_answer: { label: 'DAMAGED_ITEM', action: 'RESHIP' },
      reason: 'The customer says the box arrived crushed and the item inside is broken',
    });
    expect(original.status).toBe(201);
    expect(original.body.learning_item).toMatchObject({
      status: 'pending',
      source_type: 'correction',
      confidence_score: 90,
    });
    const paraphrase = await call('POST', '/api/feedback/correction', {
      record_id: second,
      corrected_answer: { label: 'DAMAGED_ITEM', action: 'RESHIP' },
      reason: 'Customer says the box arrived crushed and the item inside was broken',
    });
    expect(paraphrase.body.learning_item).toMatchObject({
      status: 'rejected',
      duplicate_of: original.body.learning_item.id,
    });
    const similar = await call(
      'GET',
      `/api/learning/similar?text=${encodeURIComponent('the box arrived crushed and the item inside is broken, says the customer')}`,
    );
    expect(similar.body.items[0]).toMatchObject({ id: original.body.learning_item.id });
    expect(similar.body.items[0].similarity).toBeGreaterThanOrEqual(0.85);
  });

  it('applies an urgent correction at once and announces it on learning.applied exactly once', async () => {
    const record = await enriched({ label: 'ADDRESS_ISSUE', action: 'VERIFY_ADDRESS' });
    const urgent = await call('POST', '/api/feedback/correction', {
      record_id: record,
      corrected_answer: { label: 'PAYMENT_ISSUE', action: 'REFUND' },
      priority: 'urgent',
      reason: 'Charged twice for the same order; refund the second payment',
    });
    expect(urgent.body.learning_item).toMatchObject({
      status: 'approved',
      source_type: 'correction',
    });
    const item = urgent.body.learning_item.id;
    const subject = subjectOf('learning.applied', { tenant: tenant.slug });
    const announced = await waitFor(async () => {
      const messages = await storedMessages<Applied>(bus.nc, 'LEARNING', subject);
      return messages.filter((m) => m.data.data.item_id === item).length > 0 && messages;
    });
    // A second run finds nothing left to announce.
    expect((await call('POST', '/api/learning/apply', undefined)).status).toBe(200);
    const again = await storedMessages<Applied>(bus.nc, 'LEARNING', subject);
    const ours = again.filter((m) => m.data.data.item_id === item);
    expect(ours).toHaveLength(1);
    expect(announced.length).toBe(again.length);
    expect(ours[0].data).toMatchObject({
      record_id: record,
      data: {
        source_type: 'correction',
        expected_output: { label: 'PAYMENT_ISSUE', action: 'REFUND' },
        original_output: { label: 'ADDRESS_ISSUE', action: 'VERIFY_ADDRESS' },
        approved_by: 'auto:urgent',
      },
    });
    const applied = await call('GET', '/api/learning/queue?status=applied');
    expect(applied.body.items.map((i) => i.id)).toContain(item);
  });

  it('keeps vectors only of items still compared: none for a duplicate, none once rejected', async () => {
    const vectorsOf = async (ids: string[]) => {
      const db = await adminClient(process.env.DATABASE_NAME ?? 'refinery_test');
      try {
        const { rows } = await db.query<{ item_id: string }>(
          `SELECT item_id FROM learning.learning_embeddings WHERE item_id = ANY ($1::uuid[])`,
          [ids],
        );
        return rows.map((r) => r.item_id);
      } finally {
        await db.end();
      }
    };
    const correct = async (reason: string) => {
      const record = await enriched({ label: 'MISSING_ITEM', action: 'RESHIP' });
      const made = await call('POST', '/api/feedback/correction', {
        record_id: record,
        corrected_answer: { label: 'ADDRESS_ISSUE', action: 'VERIFY_ADDRESS' },
        reason,
      });
      return made.body.learning_item;
    };
    const original = await correct('The courier left the parcel at the neighbour, flat 4B');
    const duplicate = await correct('Courier left the parcel at the neighbour in flat 4B');
    expect(duplicate).toMatchObject({ status: 'rejected', duplicate_of: original.id });
    expect(await vectorsOf([original.id, duplicate.id])).toEqual([original.id]);

    const rejected = await call('POST', `/api/learning/queue/${original.id}/reject`, {});
    expect(rejected.body.status).toBe('rejected');
    expect(await vectorsOf([original.id])).toEqual([]);
    // Nothing live says it any more: the next one is queued, and compared from now on.
    const again = await correct('The courier left the parcel at the neighbour, in flat 4B');
    expect(again).toMatchObject({ status: 'pending', duplicate_of: null });
    expect(await vectorsOf([again.id])).toEqual([again.id]);
  });

  it('lets a reviewer approve or reject a pending item once, and keeps tenants apart', async () => {
    const record = await enriched({ label: 'OTHER', action: 'ESCALATE_HUMAN' });
    const made = await call('POST', '/api/feedback/rating', {
      record_id: record,
      feedback_type: 'thumbs_down',
      reason: 'This is a customer request to change the delivery slot',
    });
    const id = made.body.learning_item.id;
    const foreign = await call('POST', `/api/learning/queue/${id}/approve`, {}, other.apiKey);
    expect(foreign.status).toBe(404);
    const approved = await call('POST', `/api/learning/queue/${id}/approve`, { reason: 'right' });
    expect(approved).toMatchObject({ status: 200, body: { id, status: 'approved' } });
    const twice = await call('POST', `/api/learning/queue/${id}/reject`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/is approved, not pending/);
    expect((await call('GET', '/api/learning/queue?status=bogus')).body.errors[0].path).toBe(
      'query.status',
    );
    const elsewhere = await call('GET', '/api/learning/queue', undefined, other.apiKey);
    expect(elsewhere.body.items).toEqual([]);
  });

  it('keeps a negative call transcript as a learning item with its sentiment and entities', async () => {
    const angry = receivedTranscript(
      tenant.slug,
      'ORD-77001234',
      'My order ORD-77001234 is late again, DHL lost it and I was charged €49.90 twice. Unacceptable.',
    );
    const happy = receivedTranscript(
      tenant.slug,
      'ORD-77009999',
      'Thanks, the parcel arrived quickly, great service!',
    );
    await bus.publish(angry, happy);
    const item = await waitFor(async () => {
      const queue = await call('GET', '/api/learning/queue?status=pending&limit=500');
      return queue.body.items.find(
        (i) => i.source_type === 'transcript' && i.source_id === angry.payload.record_id,
      );
    });
    expect(item.proposed_content).toMatchObject({
      order_number: 'ORD-77001234',
      sentiment: 'negative',
      entities: {
        carriers: ['DHL'],
        order_numbers: ['ORD-77001234'],
        amounts: [{ value: 49.9, currency: 'EUR' }],
      },
    });
    const all = await call('GET', '/api/learning/queue?limit=500');
    expect(all.body.items.some((i) => i.source_id === happy.payload.record_id)).toBe(false);
  });

  it('refreshes its views on demand and reports them per day', async () => {
    const refreshed = await call('POST', '/api/learning/metrics/refresh');
    expect(refreshed.status).toBe(200);
    const metrics = await call('GET', '/api/learning/metrics?days=7');
    expect(metrics.status).toBe(200);
    const sources = new Set(metrics.body.daily_learning_metrics.map((row) => row.source_type));
    expect(sources).toEqual(new Set(['feedback', 'correction', 'transcript']));
    expect(metrics.body.response_performance_metrics.length).toBeGreaterThan(0);
  });
});
