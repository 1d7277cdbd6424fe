import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The advanced-analytics design (000 AM-AQ) on the events Refinery carries: behavioural events
 * (Segment track and identify), orders, enriched records and feedback on them, kept raw in `events`, partitioned by month, and
 * each user's active days in `user_days`, which cohorts and retention read instead of the raw
 * events. `mv_cohort_retention` is the design's view with months m0..m11.
 */
export class CreateAnalyticsTables1768000000000 implements MigrationInterface {
  name = 'CreateAnalyticsTables1768000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const statement of [...EVENTS, ...USERS, ...FUNNELS, ...COHORTS]) await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const statement of [
      'DROP MATERIALIZED VIEW mv_cohort_retention',
      'DROP TABLE conversion_funnels',
      'DROP TABLE user_days',
      'DROP TABLE users',
      'DROP FUNCTION ensure_event_partition(timestamptz)',
      'DROP TABLE events',
    ])
      await q.query(statement);
  }
}

/** The first definition; 1769400000001 moves the month's rows out of the default partition. */
export const ENSURE_EVENT_PARTITION =
  // The partition of the month holding `at`, made when first needed (events_YYYY_MM).
  `CREATE FUNCTION ensure_event_partition(at timestamptz) RETURNS text
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
  DECLARE
    month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    name text := 'events_' || to_char(at AT TIME ZONE 'UTC', 'YYYY_MM');
  BEGIN
    IF to_regclass(name) IS NULL THEN
      -- Two consumers meeting a new month at once: one makes it, the other finds it made.
      PERFORM pg_advisory_xact_lock(hashtext('analytics.events.' || name));
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                     name, month_start, month_start + interval '1 month');
    END IF;
    RETURN name;
  END $$`;

const EVENTS = [
  `CREATE TABLE events (
    tenant text NOT NULL,
    message_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('track', 'identify', 'order', 'enrichment', 'feedback')),
    user_id text,
    anonymous_id text,
    event text,
    properties jsonb NOT NULL DEFAULT '{}',
    campaign_source text,
    campaign_medium text,
    campaign_name text,
    revenue numeric(14, 2),
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, occurred_at, message_id)
  ) PARTITION BY RANGE (occurred_at)`,
  // Only for a month whose partition could not be made; it stays empty otherwise.
  `CREATE TABLE events_default PARTITION OF events DEFAULT`,
  `CREATE INDEX idx_events_user ON events (tenant, user_id, occurred_at)`,
  `CREATE INDEX idx_events_event ON events (tenant, event, occurred_at)`,
  // Exceptions name their order, not their customer: churn joins them through the order.
  `CREATE INDEX idx_events_order_number ON events (tenant, (properties ->> 'order_number'))
     WHERE kind IN ('order', 'enrichment')`,
  // Feedback names its record; the model comparison joins it to the record's enrichment.
  `CREATE INDEX idx_events_record ON events (tenant, (properties ->> 'record_id'))
     WHERE kind IN ('enrichment', 'feedback')`,
  ENSURE_EVENT_PARTITION,
];

const USERS = [
  `CREATE TABLE users (
    tenant text NOT NULL,
    user_id text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    traits jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant, user_id)
  )`,
  // A user's active days (UTC): cohorts by first activity, retention by day N.
  `CREATE TABLE user_days (
    tenant text NOT NULL,
    user_id text NOT NULL,
    day date NOT NULL,
    PRIMARY KEY (tenant, user_id, day)
  )`,
];

const FUNNELS = [
  `CREATE TABLE conversion_funnels (
    funnel_id serial PRIMARY KEY,
    tenant text NOT NULL,
    funnel_name text NOT NULL,
    steps jsonb NOT NULL,
    conversion_window interval NOT NULL DEFAULT '7 days',
    strict_order boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant, funnel_name)
  )`,
];

const MONTHS = Array.from(
  { length: 12 },
  (_, k) => `count(*) FILTER (WHERE a.months_since = ${k}) AS m${k}`,
).join(',\n           ');

/** The first definition; 1769400000000 reads each user's months once instead. */
export const COHORTS = [
  `CREATE MATERIALIZED VIEW mv_cohort_retention AS
    WITH first AS (
      SELECT tenant, user_id, min(day) AS first_day FROM user_days GROUP BY tenant, user_id),
    active AS (
      SELECT DISTINCT f.tenant, f.user_id, date_trunc('month', f.first_day)::date AS cohort_month,
             (extract(year FROM d.day) * 12 + extract(month FROM d.day))::int
               - (extract(year FROM f.first_day) * 12 + extract(month FROM f.first_day))::int
               AS months_since
        FROM first f JOIN user_days d ON d.tenant = f.tenant AND d.user_id = f.user_id)
    SELECT a.tenant, a.cohort_month,
           count(*) FILTER (WHERE a.months_since = 0) AS cohort_size,
           ${MONTHS}
      FROM active a GROUP BY a.tenant, a.cohort_month`,
  // REFRESH ... CONCURRENTLY needs a unique index.
  `CREATE UNIQUE INDEX idx_mv_cohort_retention ON mv_cohort_retention (tenant, cohort_month)`,
];
