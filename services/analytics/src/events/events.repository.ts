import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventRow } from './event-rows';

/** Writes events in batches: partitions first, then the rows, the users and their active days. */
@Injectable()
export class EventsRepository {
  /** Months whose partition this process has made or found (YYYY-MM). */
  private readonly months = new Set<string>();

  constructor(private readonly db: DataSource) {}

  async save(rows: EventRow[]): Promise<void> {
    if (rows.length === 0) return;
    // Remembered once committed: a partition made in a transaction that rolls back is gone,
    // and the month's rows would go to the default partition from then on.
    const made: string[] = [];
    await this.db.transaction(async (tx) => {
      for (const month of new Set(rows.map((r) => r.occurred_at.slice(0, 7)))) {
        if (this.months.has(month)) continue;
        await tx.query(`SELECT ensure_event_partition($1::timestamptz)`, [`${month}-01T00:00:00Z`]);
        made.push(month);
      }
      const json = JSON.stringify(rows);
      await tx.query(
        `INSERT INTO events (tenant, message_id, kind, user_id, anonymous_id, event, properties,
                             campaign_source, campaign_medium, campaign_name, revenue, occurred_at)
         SELECT r.tenant, r.message_id, r.kind, r.user_id, r.anonymous_id, r.event,
                coalesce(r.properties, '{}'), r.campaign_source, r.campaign_medium, r.campaign_name,
                r.revenue, r.occurred_at
           FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, message_id text, kind text,
                user_id text, anonymous_id text, event text, properties jsonb, campaign_source text,
                campaign_medium text, campaign_name text, revenue numeric, occurred_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [json],
      );
      // Users and their active days; sorted so concurrent batches lock rows in one order.
      await tx.query(
        `INSERT INTO users (tenant, user_id, first_seen_at, last_seen_at, traits)
         SELECT r.tenant, r.user_id, min(r.occurred_at), max(r.occurred_at),
                coalesce(jsonb_object_agg(t.key, t.value) FILTER (WHERE t.key IS NOT NULL), '{}')
           FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, user_id text, occurred_at timestamptz, traits jsonb)
           LEFT JOIN LATERAL jsonb_each(coalesce(r.traits, '{}')) t ON true
          WHERE r.user_id IS NOT NULL
          GROUP BY r.tenant, r.user_id ORDER BY r.tenant, r.user_id
         ON CONFLICT (tenant, user_id) DO UPDATE
           SET first_seen_at = least(users.first_seen_at, EXCLUDED.first_seen_at),
               last_seen_at = greatest(users.last_seen_at, EXCLUDED.last_seen_at),
               traits = users.traits || EXCLUDED.traits`,
        [json],
      );
      await tx.query(
        `INSERT INTO user_days (tenant, user_id, day)
         SELECT DISTINCT r.tenant, r.user_id, (r.occurred_at AT TIME ZONE 'UTC')::date
           FROM jsonb_to_recordset($1::jsonb) AS r(tenant text, user_id text, kind text, occurred_at timestamptz)
          WHERE r.user_id IS NOT NULL AND r.kind <> 'identify'
          ORDER BY 1, 2, 3
         ON CONFLICT DO NOTHING`,
        [json],
      );
    });
    for (const month of made) this.months.add(month);
  }
}
