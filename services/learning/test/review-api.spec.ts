import { eventOf } from '@refinery/contracts';
import {
  apiCall,
  Bus,
  completedException,
  freePort,
  startServiceProcess,
  TestTenants,
  waitFor,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { insertInteraction, openLearningDb } from './schema/learning-db';

interface Item {
  record_id: string;
  reasons: string[];
  answer: { label: string; confidence: number; action: string };
  explanation: { top_features: string[]; contributions: unknown[]; text: string } | null;
  waiting_since: string;
}

interface Answer {
  items: Item[];
  total: number;
  choices: { labels: string[]; actions: string[] };
  detail: string;
  errors: Array<{ path: string }>;
}

/** review.requested as classification sends it for an answer it is unsure of. */
function reviewRequested(tenant: string, confidence: number) {
  const { payload } = completedException(tenant, {
    label: 'OTHER',
    action: 'ESCALATE_HUMAN',
    confidence,
  });
  return eventOf('review.requested', {
    id: `${payload.record_id}:review`,
    tenant,
    occurred_at: new Date().toISOString(),
    record_id: payload.record_id,
    data: {
      stage: 'classification',
      reason: 'the classifier asked for a person',
      min_confidence: 0.8,
      input: payload.data.input,
      output: payload.data.stages.classification.output,
    },
  });
}

/**
 * The review queue as the console reads it: which records wait for a person and why, and
 * when they stop waiting. The learning service runs as its own process, fed on the bus.
 */
describe('the review queue', () => {
  let tenants: TestTenants;
  let tenant: TestTenant;
  let other: TestTenant;
  let learning: ServiceProcess;
  let bus: Bus;
  let db: DataSource;

  beforeAll(async () => {
    tenants = await TestTenants.open();
    tenant = await tenants.create({ prefix: 'review' });
    other = await tenants.create({ prefix: 'review-other' });
    learning = await startServiceProcess('learning', {
      LEARNING_TENANT: tenant.slug,
      LEARNING_APPLY_INTERVAL: '0',
      LEARNING_REFRESH_INTERVAL: '0',
      LEARNING_REVIEW_CONFIDENCE: '0.7',
      // Nothing listens there: the labeling figures cannot be fetched.
      DATASETS_URL: `http://127.0.0.1:${await freePort()}`,
    });
    bus = await Bus.open();
    db = await openLearningDb();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await bus?.close();
    await learning?.stop();
    await tenants?.close();
  });

  const call = (method: string, path: string, body?: unknown, key = tenant.apiKey) =>
    apiCall<Answer>(learning.url, key, method, path, body);

  const enriched = async (confidence: number) => {
    const event = completedException(tenant.slug, {
      label: 'DELIVERY_DELAY',
      action: 'CONTACT_CARRIER',
      confidence,
    });
    await bus.publish(event);
    return event.payload.record_id;
  };
  const rate = (record: string, feedback_type: string, rating?: number) =>
    call('POST', '/api/feedback/rating', { record_id: record, feedback_type, rating });

  it('holds what needs a person until it is corrected or accepted, oldest first', async () => {
    const sure = await enriched(0.95);
    const unsure = await enriched(0.5);
    const requested = reviewRequested(tenant.slug, 0.75);
    await bus.publish(requested);
    const corrected = await enriched(0.4);
    const accepted = await enriched(0.45);
    const starred = await enriched(0.6);
    const acceptedThenDisliked = await enriched(0.55);
    const disliked = await enriched(0.92);
    const lowStars = await enriched(0.93);

    expect(
      (
        await call('POST', '/api/feedback/correction', {
          record_id: corrected,
          corrected_answer: { label: 'DAMAGED_ITEM' },
          priority: 'urgent',
        })
      ).status,
    ).toBe(201);
    expect((await rate(accepted, 'thumbs_up')).status).toBe(201);
    expect((await rate(starred, 'star_rating', 4)).status).toBe(201);
    expect((await rate(acceptedThenDisliked, 'thumbs_up')).status).toBe(201);
    expect((await rate(acceptedThenDisliked, 'thumbs_down')).status).toBe(201);
    expect((await rate(disliked, 'thumbs_down')).status).toBe(201);
    expect((await rate(lowStars, 'star_rating', 2)).status).toBe(201);
    expect((await rate(sure, 'star_rating', 3)).status).toBe(201);

    const queue = await waitFor(async () => {
      const res = await call('GET', '/api/review/queue');
      return res.body.total === 5 && res.body;
    });
    expect(Object.fromEntries(queue.items.map((i) => [i.record_id, i.reasons]))).toEqual({
      [unsure]: ['low_confidence'],
      [requested.payload.record_id]: ['review_requested'],
      [acceptedThenDisliked]: ['negative_feedback'],
      [disliked]: ['negative_feedback'],
      [lowStars]: ['negative_feedback'],
    });
    const since = queue.items.map((i) => i.waiting_since);
    expect(since).toEqual([...since].sort());
    // Negative feedback puts a record in line when it is given, after the unsure ones.
    expect(queue.items.slice(0, 2).map((i) => i.record_id)).toEqual(
      expect.arrayContaining([unsure, requested.payload.record_id]),
    );
    expect(queue.items.find((i) => i.record_id === unsure)?.answer).toEqual({
      label: 'DELIVERY_DELAY',
      confidence: 0.5,
      action: 'CONTACT_CARRIER',
    });
    expect(queue.choices.labels).toHaveLength(8);
    expect(queue.choices.actions).toHaveLength(6);

    // A correction takes a record out at once.
    await call('POST', '/api/feedback/correction', {
      record_id: unsure,
      corrected_answer: { action: 'REFUND' },
      priority: 'urgent',
    });
    const after = await call('GET', '/api/review/queue?limit=2');
    expect(after.body.total).toBe(4);
    expect(after.body.items).toHaveLength(2);
    expect(after.body.items.map((i) => i.record_id)).not.toContain(unsure);
  });

  it('holds a delivery exception that came through with no label, but not a healthy order', async () => {
    const unlabeled = completedException(tenant.slug, { label: 'OTHER', action: 'ESCALATE_HUMAN' });
    const skipped = {
      status: 'SKIPPED' as const,
      output: null,
      skip_reason: 'no problem found',
      provider: null,
      model_version: null,
    };
    const { stages } = unlabeled.payload.data;
    Object.assign(stages.classification, skipped);
    Object.assign(stages.resolution, { ...skipped, skip_reason: 'classification gave no output' });
    stages['order-analysis'].output = { problems: [{ code: 'NONE', confidence: 0.9 }] };
    await bus.publish(unlabeled);
    const record = unlabeled.payload.record_id;
    const queue = await waitFor(async () => {
      const res = await call('GET', '/api/review/queue?limit=200');
      return res.body.items.some((i) => i.record_id === record) && res.body;
    });
    expect(queue.items.find((i) => i.record_id === record)).toMatchObject({
      reasons: ['unlabeled'],
      answer: { label: null, confidence: null, action: null },
    });
    await call('POST', '/api/feedback/correction', {
      record_id: record,
      corrected_answer: { label: 'DAMAGED_ITEM', action: 'RESHIP' },
      priority: 'urgent',
    });
    const after = await call('GET', '/api/review/queue?limit=200');
    expect(after.body.items.map((i) => i.record_id)).not.toContain(record);
  });

  it("shows each record's latest explanation", async () => {
    const record = await enriched(0.3);
    await waitFor(async () => {
      const res = await call('GET', '/api/review/queue?limit=200');
      return res.body.items.some((i) => i.record_id === record);
    });
    for (const [version, age, text] of [
      ['old', '1 hour', 'An older model weighed other things.'],
      ['new', '0 seconds', 'DELIVERY_DELAY at 0.30, mostly from word:late (+1.10).'],
    ]) {
      await db.query(
        `INSERT INTO model_explanations (tenant, entity_id, model_version, prediction,
                feature_contributions, top_features, explanation_text, generated_at)
         VALUES ($1, $2, $3, 0.3, $4, $5, $6, now() - $7::interval)`,
        [
          tenant.slug,
          record,
          version,
          JSON.stringify([
            { feature: 'word:late', weight: 1.1 },
            { feature: 'carrier:DHL', weight: -0.2 },
          ]),
          ['word:late'],
          text,
          age,
        ],
      );
    }
    const { body } = await call('GET', '/api/review/queue?limit=200');
    expect(body.items.find((i) => i.record_id === record)?.explanation).toEqual({
      top_features: ['word:late'],
      contributions: [
        { feature: 'word:late', weight: 1.1 },
        { feature: 'carrier:DHL', weight: -0.2 },
      ],
      text: 'DELIVERY_DELAY at 0.30, mostly from word:late (+1.10).',
    });
  });

  it("keeps another tenant's records to that tenant", async () => {
    const foreign = await insertInteraction(db, { tenant: other.slug, confidence: 0.2 });
    const ours = await call('GET', '/api/review/queue?limit=200');
    expect(ours.body.items.map((i) => i.record_id)).not.toContain(foreign);
    const theirs = await call('GET', '/api/review/queue', undefined, other.apiKey);
    expect(theirs.body.items.map((i) => i.record_id)).toEqual([foreign]);
    expect(theirs.body.total).toBe(1);
  });

  it.each(['0', '201', 'ten', '1.5'])('refuses ?limit=%s, naming the field', async (limit) => {
    const res = await call('GET', `/api/review/queue?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toEqual(['query.limit']);
  });

  it('says which service is missing when the labeling figures cannot be fetched', async () => {
    const res = await call('GET', '/api/review/labeling');
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(
      /^dataset-versioning cannot be reached at http:\/\/127\.0\.0\.1/,
    );
  });
});
