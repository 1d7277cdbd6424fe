import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventOf, type OutgoingEvent, type EnvelopedEvent } from '@refinery/contracts';
import { generate, parseSchema } from '@refinery/datagen';
import { findWorkspaceRoot } from '@refinery/persistence';
import {
  Bus,
  completedException,
  startServiceProcess,
  TestTenants,
  waitFor,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';

type Row = Record<string, unknown>;
interface DayTruth {
  eligible: number;
  n_day: number;
  unbounded: number;
}
interface Truth {
  retention: { cohorts: { days: Record<string, DayTruth> }[] };
  modifiers: {
    'sessions.modifiers[0]': { steps: { name: string; conversion_from_previous: number }[] };
    'touchpoints.modifiers[0]': {
      channels: Record<string, { planted_contribution: number; removal_effect_share: number }>;
    };
    'exposures.modifiers[0]': {
      name: string;
      variants: Record<
        string,
        { exposed: number; conversions: number; observed_lift: number; value_mean: number }
      >;
    };
  };
}

const SEED = 7;
const ROOT = findWorkspaceRoot(__dirname);
const ACTIVITY = [
  'Order Completed',
  'visit',
  'product_view',
  'add_to_cart',
  'checkout',
  'purchase',
];
const ROWS = 60_000;
const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

/**
 * Datagen's ecomm output published the way ingestion publishes it (sessions as Segment track
 * events, orders as records), and analytics' answers compared with the planted truth.
 */
describe('analytics on datagen truth', () => {
  let tenants: TestTenants;
  let tenant: TestTenant;
  let analytics: ServiceProcess;
  let bus: Bus;
  let truth: Truth;
  let sent: OutgoingEvent<EnvelopedEvent>[] = [];

  const get = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${analytics.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    tenants = await TestTenants.open();
    tenant = await tenants.create({ prefix: 'an' });
    analytics = await startServiceProcess('analytics', {
      ANALYTICS_TENANT: tenant.slug,
      ANALYTICS_REFRESH_INTERVAL: '0',
    });
    bus = await Bus.open();
    const schema = parseSchema(
      JSON.parse(readFileSync(join(ROOT, 'libs/datagen/schemas/ecomm.json'), 'utf8')),
    );
    const out: OutgoingEvent<EnvelopedEvent>[] = [];
    const result = await generate({
      schema,
      seed: SEED,
      rows: ROWS,
      listeners: [
        {
          onRow(row) {
            const name = row.node.name;
            const make = BUILDERS[name];
            if (!make) return;
            const v: Row = {};
            for (const column of row.node.columns) v[column.name] = row.values[column.index];
            out.push(make(tenant.slug, v));
          },
        },
      ],
    });
    truth = result.truth as unknown as Truth;
    sent = out;
    for (let i = 0; i < out.length; i += 500) await bus.publish(...out.slice(i, i + 500));
    await waitFor(async () => {
      const stored = await get<{ events: number }>('/api/analytics/events/count');
      return stored.events === sent.length ? true : undefined;
    }, 60_000);
  }, 180_000);

  afterAll(async () => {
    await bus?.close();
    await analytics?.stop();
    await tenants?.close();
  });

  it('finds D1, D7 and D30 retention within 2 points of the planted truth', async () => {
    const found = await get<{
      retention: { day: number; n_day_rate: number; unbounded_rate: number }[];
      // Activity as datagen's truth counts it: orders and the session steps.
    }>(
      `/api/analytics/retention?days=1,7,30&as_of=2025-12-31&events=${ACTIVITY.map(encodeURIComponent).join(',')}`,
    );
    for (const day of [1, 7, 30]) {
      let eligible = 0;
      let exact = 0;
      let later = 0;
      for (const cohort of truth.retention.cohorts) {
        const d = cohort.days[`d${day}`];
        if (!d) continue;
        eligible += d.eligible;
        exact += d.eligible * d.n_day;
        later += d.eligible * d.unbounded;
      }
      const row = found.retention.find((r) => r.day === day)!;
      expect(Math.abs(row.n_day_rate - exact / eligible)).toBeLessThan(0.02);
      expect(Math.abs(row.unbounded_rate - later / eligible)).toBeLessThan(0.02);
    }
  });

  it('counts each monthly cohort’s users active in months m0..m11, as the events sent say', async () => {
    // Every event counts here (touches too), where the planted truth counts orders and
    // sessions only: so the reference is the events themselves, before the tests below add any.
    await get('/api/analytics/cohorts/refresh', {});
    const { cohorts } = await get<{ cohorts: Record<string, string | number>[] }>(
      '/api/analytics/cohorts/retention-matrix',
    );
    const columns = ['cohort_size', ...Array.from({ length: 12 }, (_, k) => `m${k}`)];
    expect(cohorts.map((row) => [row.cohort_month, ...columns.map((c) => row[c])])).toEqual(
      cohortMatrixOf(sent.map(activityOf)),
    );
    expect(cohorts.length).toBeGreaterThan(6);
  });

  it('finds each funnel step conversion within 1 point of the planted truth', async () => {
    const planted = truth.modifiers['sessions.modifiers[0]'].steps;
    const report = await get<{
      report: { step: string; users: number; conversion_from_previous: number }[];
    }>('/api/analytics/funnels/query', {
      steps: planted.map((s) => s.name),
      from: '2025-01-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    });
    expect(report.report.map((s) => s.step)).toEqual(planted.map((s) => s.name));
    planted.forEach((step, i) => {
      expect(
        Math.abs(report.report[i].conversion_from_previous - step.conversion_from_previous),
      ).toBeLessThan(0.01);
    });
  });

  it('ranks channels as planted under the presence model, and every model gives each conversion one credit', async () => {
    const found = await get<{
      models: {
        model: string;
        conversions: number;
        channels: { channel: string; conversions: number; share: number }[];
      }[];
    }>(
      '/api/analytics/attribution?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&conversion_event=conversion',
    );
    expect(found.models.map((m) => m.model)).toEqual([
      'first_touch',
      'last_touch',
      'linear',
      'time_decay',
      'position_based',
      'markov',
      'presence',
    ]);
    for (const model of found.models) {
      const credited = model.channels.reduce((sum, c) => sum + c.conversions, 0);
      expect(credited).toBeCloseTo(model.conversions, 6);
    }
    const planted = Object.entries(truth.modifiers['touchpoints.modifiers[0]'].channels)
      .sort(([, a], [, b]) => b.removal_effect_share - a.removal_effect_share)
      .map(([channel]) => channel);
    const share = (model: string) =>
      found.models
        .find((m) => m.model === model)!
        .channels.map((c) => `${c.channel} ${c.share.toFixed(3)}`)
        .join(' > ');
    // The planted process is order-free (a journey converts by which channels it saw), so the
    // presence model recovers it; the first-order Markov chain credits how often a channel
    // sits on converting paths, reported beside it.
    console.log(
      `planted ${planted.join(' > ')}\npresence ${share('presence')}\nmarkov ${share('markov')}`,
    );
    const presence = found.models.find((m) => m.model === 'presence')!.channels;
    expect(presence[0].channel).toBe(planted[0]);
    expect(presence.at(-1)!.channel).toBe(planted.at(-1));
  });

  it('scores churn better than chance on a holdout, and projects cohort value with its error', async () => {
    const churn = await get<{
      model: { holdout: { n: number; auc: number }; converged: boolean };
      at_risk: { id: string; churn_probability: number }[];
    }>('/api/analytics/churn?top=10');
    expect(churn.model.converged).toBe(true);
    expect(churn.model.holdout.n).toBeGreaterThan(100);
    expect(churn.model.holdout.auc).toBeGreaterThan(0.6);
    expect(churn.at_risk).toHaveLength(10);
    const ltv = await get<{
      cohorts: { projected_ltv_per_user: number }[];
      holdout: { mape: number | null };
    }>('/api/analytics/ltv');
    expect(ltv.cohorts.length).toBeGreaterThan(6);
    for (const c of ltv.cohorts) expect(c.projected_ltv_per_user).toBeGreaterThan(0);
    expect(ltv.holdout.mape).not.toBeNull();
    console.log(
      `churn AUC ${churn.model.holdout.auc.toFixed(3)}; LTV holdout MAPE ${ltv.holdout.mape!.toFixed(3)}`,
    );
  });

  it('flags a planted sample-ratio mismatch, and only that one', async () => {
    // ecomm's customers and exposures only, in an experiment that loses a tenth of its
    // treatment exposures.
    const ecomm = JSON.parse(readFileSync(join(ROOT, 'libs/datagen/schemas/ecomm.json'), 'utf8'));
    const exposures = structuredClone(ecomm.nodes.exposures);
    exposures.columns.experiment.values = ['srm_check'];
    exposures.columns.exposure_id.prefix = 'SRM-';
    exposures.fanout = { distribution: { kind: 'bernoulli', p: 1 } };
    exposures.modifiers[0] = {
      ...exposures.modifiers[0],
      name: 'srm_check',
      srm: { variant: 'treatment', drop: 0.1 },
    };
    const schema = parseSchema({
      ...ecomm,
      nodes: { customers: ecomm.nodes.customers, exposures },
    });
    const out: OutgoingEvent<EnvelopedEvent>[] = [];
    await generate({
      schema,
      seed: SEED,
      rows: 24_000,
      listeners: [
        {
          onRow(row) {
            if (row.node.name !== 'exposures') return;
            const v: Row = {};
            for (const column of row.node.columns) v[column.name] = row.values[column.index];
            out.push(BUILDERS.exposures(tenant.slug, v));
          },
        },
      ],
    });
    for (let i = 0; i < out.length; i += 500) await bus.publish(...out.slice(i, i + 500));
    const found = await waitFor(async () => {
      const e = await get<{
        variants: { exposed: number }[];
        srm: { mismatch: boolean; p_value: number };
      }>('/api/analytics/experiments/srm_check?conversion_property=converted').catch(
        () => undefined,
      );
      return e && e.variants.reduce((sum, v) => sum + v.exposed, 0) === out.length ? e : undefined;
    }, 30_000);
    expect(found.srm.mismatch).toBe(true);
    expect(found.srm.p_value).toBeLessThan(0.001);
  });

  it('compares model versions by the feedback on their answers', async () => {
    const answer = (model: string) =>
      completedException(tenant.slug, {
        label: 'DELIVERY_DELAY',
        action: 'CONTACT_CARRIER',
        model,
      });
    const v1 = [answer('cls-v1'), answer('cls-v1'), answer('cls-v1'), answer('cls-v1')];
    const v2 = [answer('cls-v2'), answer('cls-v2')];
    const rate = (event: (typeof v1)[number], feedback_type: 'thumbs_up' | 'thumbs_down') =>
      eventOf('feedback.recorded', {
        id: `feedback.recorded:${randomUUID()}`,
        tenant: tenant.slug,
        occurred_at: new Date().toISOString(),
        record_id: event.payload.record_id,
        data: {
          feedback_id: randomUUID(),
          feedback_type,
          rating: null,
          reason: null,
          learning_item_id: null,
        },
      });
    await bus.publish(...v1, ...v2);
    await bus.publish(
      rate(v1[0], 'thumbs_down'),
      rate(v1[1], 'thumbs_up'),
      rate(v2[0], 'thumbs_up'),
    );
    const found = await waitFor(async () => {
      const r = await get<{
        models: {
          model_version: string;
          records: number;
          rated: number;
          negative_rate: number;
          positive_rate: number;
        }[];
      }>('/api/analytics/models');
      const rated = r.models.reduce((sum, m) => sum + m.rated, 0);
      return rated === 3 ? r.models : undefined;
    }, 20_000);
    expect(
      found.map((m) => [m.model_version, m.records, m.rated, m.negative_rate, m.positive_rate]),
    ).toEqual([
      ['cls-v1', 4, 2, 0.5, 0.5],
      ['cls-v2', 2, 1, 0, 1],
    ]);
  });

  it('reads the experiment as planted: exposures, conversions and lift per variant, and no sample-ratio mismatch', async () => {
    const planted = truth.modifiers['exposures.modifiers[0]'];
    const found = await get<{
      variants: { variant: string; exposed: number; conversions: number; mean_value: number }[];
      srm: { mismatch: boolean };
      comparisons: {
        variant: string;
        conversion: { lift: number; ci_low: number; ci_high: number };
      }[];
    }>(
      `/api/analytics/experiments/${planted.name}?conversion_property=converted&value_property=revenue`,
    );
    for (const [variant, t] of Object.entries(planted.variants)) {
      const v = found.variants.find((x) => x.variant === variant)!;
      expect([v.exposed, v.conversions]).toEqual([t.exposed, t.conversions]);
      expect(v.mean_value).toBeCloseTo(t.value_mean, 4);
    }
    expect(found.srm.mismatch).toBe(false);
    const treatment = found.comparisons.find((c) => c.variant === 'treatment')!;
    expect(treatment.conversion.lift).toBeCloseTo(planted.variants.treatment.observed_lift, 5);
  });
});

/** Each published node's rows as the events ingestion publishes for them. */
const BUILDERS: Record<string, (tenant: string, v: Row) => OutgoingEvent<EnvelopedEvent>> = {
  sessions: (tenant, v) =>
    track(tenant, `session-${String(v.event_id)}`, v.customer_id, String(v.step), v.at),
  touchpoints: (tenant, v) =>
    track(
      tenant,
      `touch-${String(v.touch_id)}`,
      v.customer_id,
      String(v.kind),
      v.at,
      { journey: v.journey },
      v.channel as string | null,
    ),
  exposures: (tenant, v) =>
    track(
      tenant,
      `exposure-${String(v.exposure_id)}`,
      v.customer_id,
      'Experiment Viewed',
      v.exposed_at,
      {
        experiment_id: v.experiment,
        variation_name: v.variant,
        converted: v.converted,
        revenue: v.revenue,
      },
    ),
  orders: (tenant, v) => order(tenant, v),
};

/** A Segment track call, published as ingestion does. */
function track(
  tenant: string,
  messageId: string,
  userId: unknown,
  event: string,
  time: unknown,
  properties: Record<string, unknown> = {},
  source: string | null = null,
) {
  const at = iso(time);
  return eventOf(
    'records.behavior',
    {
      id: `behavior:${messageId}`,
      tenant,
      occurred_at: at,
      record_id: null,
      data: {
        kind: 'track',
        message_id: messageId,
        user_id: String(userId),
        anonymous_id: null,
        event,
        properties,
        traits: {},
        timestamp: at,
        received_at: at,
        campaign: source
          ? { source, medium: 'datagen', name: null, term: null, content: null }
          : null,
      },
    },
    { kind: 'track' },
  ) as unknown as OutgoingEvent<EnvelopedEvent>;
}

/** An order as records.received carries it. */
function order(tenant: string, v: Row) {
  const at = iso(v.placed_at);
  const id = `00000000-0000-4000-8000-${String(v.order_number).replace(/\D/g, '').padStart(12, '0').slice(-12)}`;
  return eventOf(
    'records.received',
    {
      id: `${id}:received`,
      tenant,
      occurred_at: at,
      record_id: id,
      data: {
        record_type: 'order',
        source: 'datagen',
        external_id: String(v.order_number),
        received_at: at,
        payload: {
          order_number: String(v.order_number),
          customer: { id: String(v.customer_id) },
          items: [{ sku: 'SKU-1', quantity: 1, unit_price: Number(v.gross_amount) }],
          currency: 'EUR',
          total: Number(v.gross_amount),
          status: 'placed',
          placed_at: at,
        },
      },
    },
    { type: 'order' },
  ) as unknown as OutgoingEvent<EnvelopedEvent>;
}

/** The user an event makes active, and when, as analytics reads it. */
function activityOf(event: OutgoingEvent<EnvelopedEvent>): [string, string] {
  const data = event.payload.data as {
    kind?: string;
    user_id?: string;
    timestamp?: string;
    payload?: { customer: { id: string } };
  };
  return data.kind === 'track'
    ? [data.user_id!, data.timestamp!]
    : [data.payload!.customer.id, event.payload.occurred_at];
}

/**
 * Per cohort (the UTC month of a user's first activity), its users and how many of them were
 * active in each of the twelve months from it: [month, size, m0..m11].
 */
function cohortMatrixOf(activity: [string, string][]): (string | number)[][] {
  const months = new Map<string, Set<number>>();
  for (const [user, at] of activity) {
    const date = new Date(at);
    const month = date.getUTCFullYear() * 12 + date.getUTCMonth();
    months.set(user, (months.get(user) ?? new Set()).add(month));
  }
  const cohorts = new Map<number, number[]>();
  for (const active of months.values()) {
    const first = Math.min(...active);
    const row = cohorts.get(first) ?? new Array<number>(13).fill(0);
    cohorts.set(first, row);
    row[0]++;
    for (const month of active) if (month - first < 12) row[1 + month - first]++;
  }
  return [...cohorts]
    .sort(([a], [b]) => a - b)
    .map(([month, row]) => [
      `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-01`,
      ...row,
    ]);
}
