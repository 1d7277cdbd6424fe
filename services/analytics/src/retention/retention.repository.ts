import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface RetentionRow {
  day: number;
  eligible: number;
  n_day: number;
  unbounded: number;
}

/** Retention and cohorts from each user's active days (UTC). */
@Injectable()
export class RetentionRepository {
  constructor(readonly db: DataSource) {}

  /** The last day with activity: retention's default "as of". */
  async lastDay(tenant: string): Promise<string | null> {
    const [row] = await this.db.query(
      `SELECT max(day)::text AS day FROM user_days WHERE tenant = $1`,
      [tenant],
    );
    return row?.day ?? null;
  }

  /**
   * For each N: the users whose day N (first active day + N) is on or before `asOf`, those
   * active on day N exactly, and those active on day N or later.
   */
  async retention(
    tenant: string,
    days: number[],
    asOf: string,
    events?: string[],
  ): Promise<RetentionRow[]> {
    // Active days: any event's (user_days), or only those of the events named.
    const activeDays = events
      ? `(SELECT DISTINCT tenant, user_id, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM events
           WHERE tenant = $1 AND user_id IS NOT NULL AND event = ANY($3::text[]))`
      : 'user_days';
    // One row per user (first day, last day, a flag per N for activity on day N exactly),
    // then one count per N: days are validated integers, written into the statement.
    const flags = days.map((n) => `bool_or(d.day = f.first_day + ${n}) AS exact_${n}`).join(', ');
    const counts = days
      .map(
        (n) => `count(*) FILTER (WHERE first_day + ${n} <= $2::date)::int AS eligible_${n},
                count(*) FILTER (WHERE first_day + ${n} <= $2::date AND exact_${n})::int AS n_day_${n},
                count(*) FILTER (WHERE first_day + ${n} <= $2::date AND last_day >= first_day + ${n})::int AS unbounded_${n}`,
      )
      .join(',\n');
    const [row]: Record<string, number>[] = await this.db.query(
      `WITH active AS (SELECT user_id, day FROM ${activeDays} a WHERE a.tenant = $1),
       first AS (SELECT user_id, min(day) AS first_day, max(day) AS last_day FROM active GROUP BY user_id),
       per_user AS (
         SELECT f.first_day, f.last_day, ${flags}
           FROM first f JOIN active d ON d.user_id = f.user_id
          WHERE d.day <= f.first_day + ${Math.max(...days)}
          GROUP BY f.user_id, f.first_day, f.last_day)
       SELECT ${counts} FROM per_user`,
      events ? [tenant, asOf, events] : [tenant, asOf],
    );
    return days.map((n) => ({
      day: n,
      eligible: row[`eligible_${n}`],
      n_day: row[`n_day_${n}`],
      unbounded: row[`unbounded_${n}`],
    }));
  }

  /** Cohorts by the period of first activity, with their size. */
  cohorts(
    tenant: string,
    period: 'day' | 'week' | 'month',
    property?: { name: string; value: string },
  ) {
    return this.db.query(
      `WITH first AS (
         SELECT d.user_id, min(d.day) AS first_day FROM user_days d
           ${property ? 'JOIN users u ON u.tenant = d.tenant AND u.user_id = d.user_id AND u.traits ->> $3 = $4' : ''}
          WHERE d.tenant = $1 GROUP BY d.user_id)
       SELECT date_trunc($2, first_day)::date::text AS cohort, count(*)::int AS users
         FROM first GROUP BY 1 ORDER BY 1`,
      property ? [tenant, period, property.name, property.value] : [tenant, period],
    );
  }

  matrix(tenant: string) {
    return this.db.query(
      `SELECT cohort_month::text AS cohort_month, cohort_size::int,
              ${Array.from({ length: 12 }, (_, k) => `m${k}::int`).join(', ')}
         FROM mv_cohort_retention WHERE tenant = $1 ORDER BY cohort_month`,
      [tenant],
    );
  }

  async refresh(): Promise<void> {
    await this.db.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY mv_cohort_retention`);
  }
}
