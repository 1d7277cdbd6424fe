import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ExposureQuery {
  experiment: string;
  exposureEvent: string;
  /** A boolean property of the exposure that says the unit converted (datagen's `converted`)... */
  conversionProperty?: string;
  /** ...or the event that counts as a conversion within `windowDays` after the exposure. */
  conversionEvent: string;
  windowDays: number;
  /** A numeric property of the exposure holding the unit's value, else revenue in the window. */
  valueProperty?: string;
  /** Days before the exposure whose revenue is CUPED's covariate. */
  preDays: number;
}

export interface Unit {
  variant: string;
  converted: boolean;
  value: number;
  pre_value: number;
}

/** Each user's first exposure to an experiment (Segment's `Experiment Viewed`), with outcomes. */
@Injectable()
export class ExposuresRepository {
  constructor(private readonly db: DataSource) {}

  units(tenant: string, q: ExposureQuery): Promise<Unit[]> {
    return this.db.query(
      `WITH exposed AS (
         SELECT DISTINCT ON (user_id) user_id, occurred_at AS at, properties,
                coalesce(properties ->> 'variation_name', properties ->> 'variation',
                         properties ->> 'variation_id') AS variant
           FROM events
          WHERE tenant = $1 AND event = $2 AND properties ->> 'experiment_id' = $3
            AND user_id IS NOT NULL
          ORDER BY user_id, occurred_at)
       SELECT x.variant,
              CASE WHEN $4::text IS NOT NULL THEN coalesce(x.properties ->> $4, 'false') IN ('true', '1')
                   ELSE EXISTS (SELECT 1 FROM events c
                                 WHERE c.tenant = $1 AND c.user_id = x.user_id AND c.event = $5
                                   AND c.occurred_at > x.at
                                   AND c.occurred_at <= x.at + make_interval(days => $6)) END AS converted,
              CASE WHEN $7::text IS NOT NULL THEN coalesce((x.properties ->> $7)::float8, 0)
                   ELSE coalesce((SELECT sum(c.revenue) FROM events c
                                   WHERE c.tenant = $1 AND c.user_id = x.user_id AND c.occurred_at > x.at
                                     AND c.occurred_at <= x.at + make_interval(days => $6)), 0)::float8
              END AS value,
              coalesce((SELECT sum(p.revenue) FROM events p
                         WHERE p.tenant = $1 AND p.user_id = x.user_id AND p.occurred_at < x.at
                           AND p.occurred_at >= x.at - make_interval(days => $8)), 0)::float8 AS pre_value
         FROM exposed x WHERE x.variant IS NOT NULL`,
      [
        tenant,
        q.exposureEvent,
        q.experiment,
        q.conversionProperty ?? null,
        q.conversionEvent,
        q.windowDays,
        q.valueProperty ?? null,
        q.preDays,
      ],
    );
  }
}
