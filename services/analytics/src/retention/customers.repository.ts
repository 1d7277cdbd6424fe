import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LabelledCustomer } from './churn-model';
import type { CohortRevenue } from './ltv';

/** What the churn model and the lifetime-value projection read of each customer and cohort. */
@Injectable()
export class CustomersRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Customers active on or before `cutoff`, with their recency, tenure, orders, revenue and
   * exceptions (through their orders) up to it, and whether they were active in the 30 days
   * after it (not churned).
   */
  async asOf(tenant: string, cutoff: string): Promise<LabelledCustomer[]> {
    const rows: (Omit<LabelledCustomer, 'churned'> & { active_after: boolean })[] =
      await this.db.query(
        `WITH base AS (
         SELECT user_id,
                ($2::date - max(day) FILTER (WHERE day <= $2::date))::float8 AS recency_days,
                ($2::date - min(day))::float8 AS tenure_days,
                coalesce(bool_or(day > $2::date AND day <= $2::date + 30), false) AS active_after
           FROM user_days WHERE tenant = $1
          GROUP BY user_id HAVING min(day) <= $2::date),
       orders AS (
         SELECT user_id, count(*)::float8 AS frequency, coalesce(sum(revenue), 0)::float8 AS monetary,
                array_agg(properties ->> 'order_number') AS numbers
           FROM events
          WHERE tenant = $1 AND kind = 'order' AND occurred_at < $2::date + 1
          GROUP BY user_id),
       exceptions AS (
         SELECT o.user_id, count(*)::float8 AS exceptions
           FROM events x
           JOIN events o ON o.tenant = $1 AND o.kind = 'order'
                        AND o.properties ->> 'order_number' = x.properties ->> 'order_number'
          WHERE x.tenant = $1 AND x.kind = 'enrichment' AND x.properties ->> 'record_type' = 'exception'
            AND x.occurred_at < $2::date + 1
          GROUP BY o.user_id)
       SELECT b.user_id AS id, b.recency_days, b.tenure_days, b.active_after,
              coalesce(o.frequency, 0) AS frequency, coalesce(o.monetary, 0) AS monetary,
              coalesce(x.exceptions, 0) AS exceptions
         FROM base b
         LEFT JOIN orders o USING (user_id)
         LEFT JOIN exceptions x USING (user_id)`,
        [tenant, cutoff],
      );
    return rows.map(({ active_after, ...features }) => ({ ...features, churned: !active_after }));
  }

  /** Per first-activity month: its users and their order revenue by month of age. */
  async cohortRevenue(tenant: string): Promise<CohortRevenue[]> {
    const rows: { cohort: string; users: number; age: number | null; revenue: number | null }[] =
      await this.db.query(
        `WITH first AS (
           SELECT user_id, date_trunc('month', min(day))::date AS cohort_month
             FROM user_days WHERE tenant = $1 GROUP BY user_id),
         sizes AS (SELECT cohort_month, count(*)::int AS users FROM first GROUP BY cohort_month),
         revenue AS (
           SELECT f.cohort_month,
                  ((extract(year FROM e.occurred_at AT TIME ZONE 'UTC') * 12
                    + extract(month FROM e.occurred_at AT TIME ZONE 'UTC'))
                   - (extract(year FROM f.cohort_month) * 12 + extract(month FROM f.cohort_month)))::int AS age,
                  sum(e.revenue)::float8 AS revenue
             FROM events e JOIN first f ON f.user_id = e.user_id
            WHERE e.tenant = $1 AND e.revenue IS NOT NULL
            GROUP BY 1, 2)
         SELECT to_char(s.cohort_month, 'YYYY-MM') AS cohort, s.users, r.age, r.revenue
           FROM sizes s LEFT JOIN revenue r USING (cohort_month)
          ORDER BY 1, 3`,
        [tenant],
      );
    const last = rows.reduce((m, r) => (r.cohort > m ? r.cohort : m), '');
    const months = (cohort: string) => {
      const [y, m] = cohort.split('-').map(Number);
      const [ly, lm] = last.split('-').map(Number);
      return (ly - y) * 12 + (lm - m) + 1;
    };
    const cohorts = new Map<string, CohortRevenue & { revenue_by_month: number[] }>();
    for (const r of rows) {
      let c = cohorts.get(r.cohort);
      if (!c) {
        c = {
          cohort: r.cohort,
          users: r.users,
          revenue_by_month: new Array<number>(months(r.cohort)).fill(0),
        };
        cohorts.set(r.cohort, c);
      }
      if (r.age !== null && r.age >= 0 && r.age < c.revenue_by_month.length)
        c.revenue_by_month[r.age] = r.revenue ?? 0;
    }
    return [...cohorts.values()];
  }
}
