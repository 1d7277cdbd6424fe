/**
 * `npm run bench:analytics`: analytics at 10,000,000 events from 1,000,000 users, in a
 * database of its own (refinery_bench_analytics, dropped and made afresh each run) and a
 * nats-server of its own. Progress goes to stderr; the last line on stdout is one JSON object.
 *
 *  1. Ingest: BENCH_INGEST (200,000) Segment track calls posted to ingestion's /v1/batch in
 *     batches of 500, until analytics has stored every one: track_ingest_per_s, end to end.
 *  2. The rest of the events are written straight into the tables (the load is not measured):
 *     each user's sessions of funnel steps (visit > product_view > add_to_cart > checkout >
 *     purchase) over a year, campaign touches and Order Completed conversions.
 *  3. Through the API: a 4-step funnel over 30 days (funnel_ms), the retention matrix read
 *     (retention_ms) and refreshed (retention_refresh_ms), D1/D7/D30 over all users,
 *     attribution of 100,000 conversions under every model (attribution_ms). Medians of 3.
 *
 * BENCH_EVENTS and BENCH_USERS set the size for a quicker look.
 */
import type { Client } from 'pg';
import {
  adminClient,
  benchLog,
  freshServicesDatabase,
  machine,
  median,
  timed,
  startNatsServer,
  startServiceProcess,
  TestTenants,
} from '@refinery/testing';

const DATABASE = 'refinery_bench_analytics';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const INGEST = Number(process.env.BENCH_INGEST ?? 200_000);
const CONVERSIONS = Number(process.env.BENCH_CONVERSIONS ?? Math.min(100_000, USERS / 10));
const RUNS = 3;
const TARGETS = { funnel_ms: 2_000, retention_ms: 1_000, attribution_ms: 5_000 };
const YEAR = '2025-01-01T00:00:00Z';

const log = benchLog;

/**
 * The bulk of the events, straight into analytics' tables, spread over 2025: per user a few
 * sessions through the funnel steps (each step reached with a fixed probability), campaign
 * touches over four channels, and CONVERSIONS Order Completed events after touches.
 */
async function load(db: Client, tenant: string, events: number): Promise<void> {
  await db.query(`SET search_path = analytics`);
  for (let month = 1; month <= 12; month++) {
    await db.query(`SELECT ensure_event_partition($1::timestamptz)`, [
      `2025-${String(month).padStart(2, '0')}-01T00:00:00Z`,
    ]);
  }
  const steps = `ARRAY['visit','product_view','add_to_cart','checkout','purchase']`;
  const sessions = Math.max(1, Math.floor((events - 4 * CONVERSIONS) / 2.2));
  // A session reaches step k with probability 0.6^k: 1 + 0.6 + 0.36 + ... about 2.2 events.
  await db.query(
    `INSERT INTO events (tenant, message_id, kind, user_id, event, occurred_at)
     SELECT $1, 's' || s || '-' || k, 'track', 'u' || (s % $3), (${steps})[k + 1],
            $4::timestamptz + make_interval(secs => (hashint4(s) & 2147483647) % 31536000 + k * 600)
       FROM generate_series(1, $2::int) s, generate_series(0, 4) k
      WHERE k = 0 OR (hashint4(s * 7 + k) & 1023) < 1024 * power(0.6, k)`,
    [tenant, sessions, USERS, YEAR],
  );
  const channels = `ARRAY['search','email','social','affiliate']`;
  // Three touches before each conversion, then the conversion.
  await db.query(
    `INSERT INTO events (tenant, message_id, kind, user_id, event, campaign_source, revenue, occurred_at)
     SELECT $1, 'c' || c || '-' || t, 'track', 'u' || (c * 9 % $3),
            CASE WHEN t = 3 THEN 'Order Completed' ELSE 'touch' END,
            CASE WHEN t = 3 THEN NULL ELSE (${channels})[1 + (hashint4(c * 5 + t) & 3)] END,
            CASE WHEN t = 3 THEN 40 + (c % 60) END,
            $4::timestamptz + make_interval(secs => (hashint4(c) & 2147483647) % 31536000 + t * 86400)
       FROM generate_series(1, $2::int) c, generate_series(0, 3) t`,
    [tenant, CONVERSIONS, USERS, YEAR],
  );
  await db.query(
    `INSERT INTO user_days (tenant, user_id, day)
     SELECT DISTINCT tenant, user_id, (occurred_at AT TIME ZONE 'UTC')::date FROM events
      WHERE tenant = $1 AND user_id IS NOT NULL ON CONFLICT DO NOTHING`,
    [tenant],
  );
  await db.query(
    `INSERT INTO users (tenant, user_id, first_seen_at, last_seen_at)
     SELECT tenant, user_id, min(occurred_at), max(occurred_at) FROM events
      WHERE tenant = $1 AND user_id IS NOT NULL GROUP BY 1, 2 ON CONFLICT DO NOTHING`,
    [tenant],
  );
  await db.query(`VACUUM ANALYZE events, user_days, users`);
}

async function main() {
  log(`${EVENTS.toLocaleString()} events, ${USERS.toLocaleString()} users; database ${DATABASE}`);
  await freshServicesDatabase(DATABASE);
  const nats = await startNatsServer();
  process.env.DATABASE_NAME = DATABASE;
  const tenants = await TestTenants.open();
  const tenant = await tenants.create({ prefix: 'bench', rateLimitPerS: 10_000_000 });
  const env = {
    DATABASE_NAME: DATABASE,
    NATS_URL: nats.url,
    ANALYTICS_TENANT: tenant.slug,
    ANALYTICS_REFRESH_INTERVAL: '0',
  };
  const ingestion = await startServiceProcess('ingestion', env);
  const analytics = await startServiceProcess('analytics', env);
  const db = await adminClient(DATABASE);
  const call = async <T>(
    base: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  try {
    // 1. Track calls through ingestion and the bus into analytics.
    const batch = (b: number) => ({
      batch: Array.from({ length: 500 }, (_, i) => {
        const n = b * 500 + i;
        return {
          type: 'track',
          userId: `i${n % 50_000}`,
          event: 'visit',
          messageId: `ingest-${n}`,
          timestamp: new Date(Date.parse(YEAR) + (n % 31_536_000) * 1000).toISOString(),
        };
      }),
    });
    const batches = Math.ceil(INGEST / 500);
    const [, ingestMs] = await timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < batches) await call(ingestion.url, 'POST', '/v1/batch', batch(next++));
        }),
      );
      for (;;) {
        const { events } = await call<{ events: number }>(
          analytics.url,
          'GET',
          '/api/analytics/events/count',
        );
        if (events >= batches * 500) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const ingestRate = Math.round((batches * 500 * 1000) / ingestMs);
    log(
      `ingest: ${(batches * 500).toLocaleString()} track calls stored in ${ingestMs} ms, ${ingestRate.toLocaleString()}/s`,
    );

    // 2. The rest, written directly.
    const [, loadMs] = await timed(() => load(db, tenant.slug, EVENTS - batches * 500));
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM analytics.events`)).rows;
    log(`loaded to ${n.toLocaleString()} events in ${(loadMs / 1000).toFixed(1)} s`);

    // 3. The questions.
    const funnel = {
      steps: ['visit', 'product_view', 'add_to_cart', 'checkout'],
      from: '2025-06-01T00:00:00Z',
      to: '2025-07-01T00:00:00Z',
    };
    const funnels: number[] = [];
    const retentions: number[] = [];
    const refreshes: number[] = [];
    const attributions: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      funnels.push(
        (await timed(() => call(analytics.url, 'POST', '/api/analytics/funnels/query', funnel)))[1],
      );
      refreshes.push(
        (await timed(() => call(analytics.url, 'POST', '/api/analytics/cohorts/refresh')))[1],
      );
      retentions.push(
        (
          await timed(() => call(analytics.url, 'GET', '/api/analytics/cohorts/retention-matrix'))
        )[1],
      );
      attributions.push(
        (
          await timed(() =>
            call(
              analytics.url,
              'GET',
              `/api/analytics/attribution?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
            ),
          )
        )[1],
      );
    }
    const [, daysMs] = await timed(() =>
      call(analytics.url, 'GET', '/api/analytics/retention?days=1,7,30'),
    );
    log(
      `funnel ${median(funnels)} ms, retention matrix ${median(retentions)} ms, attribution (7 models) ${median(attributions)} ms, D1/D7/D30 ${daysMs} ms`,
    );
    const result = {
      events: n,
      users: USERS,
      track_ingest_per_s: ingestRate,
      funnel_ms: median(funnels),
      retention_ms: median(retentions),
      retention_refresh_ms: median(refreshes),
      retention_days_ms: daysMs,
      attribution_ms: median(attributions),
      attribution_conversions: CONVERSIONS,
      targets: TARGETS,
      met: {
        funnel_ms: median(funnels) < TARGETS.funnel_ms,
        retention_ms: median(retentions) < TARGETS.retention_ms,
        attribution_ms: median(attributions) < TARGETS.attribution_ms,
      },
      machine: machine(),
    };
    console.log(JSON.stringify(result));
  } finally {
    await db.end();
    await analytics.stop();
    await ingestion.stop();
    await tenants.close();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
