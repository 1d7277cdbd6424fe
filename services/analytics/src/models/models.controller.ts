import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, parseInput, RequireScope, type TenantRef } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { isoDate } from '../shared/requests';

const ModelsQuery = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  stage: z.enum(['classification', 'resolution']).default('classification'),
});

/**
 * The model versions that answered (learning's response_analytics.ab_variant is the same
 * version), compared by what people said of their answers.
 */
@ApiTags('experiments')
@ApiSecurity('api-key')
@Controller('api/analytics/models')
export class ModelsController {
  constructor(private readonly db: DataSource) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Per model version of ?stage= (classification): records enriched in [?from, ?to), feedback on them, the share negative (thumbs_down or 1-2 stars) and positive (thumbs_up or 4-5 stars), mean confidence',
  })
  async compare(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(ModelsQuery, query);
    const model = q.stage === 'classification' ? 'classification_model' : 'resolution_model';
    const rows = await this.db.query(
      `WITH enriched AS (
         SELECT properties ->> 'record_id' AS record_id, properties ->> '${model}' AS model_version,
                (properties ->> 'confidence')::float8 AS confidence
           FROM events
          WHERE tenant = $1 AND kind = 'enrichment'
            AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)),
       rated AS (
         SELECT properties ->> 'record_id' AS record_id,
                bool_or(properties ->> 'feedback_type' = 'thumbs_down'
                        OR (properties ->> 'rating')::int <= 2) AS negative,
                bool_or(properties ->> 'feedback_type' = 'thumbs_up'
                        OR (properties ->> 'rating')::int >= 4) AS positive
           FROM events WHERE tenant = $1 AND kind = 'feedback' GROUP BY 1)
       SELECT e.model_version, count(*)::int AS records, count(r.record_id)::int AS rated,
              count(*) FILTER (WHERE r.negative)::int AS negative,
              count(*) FILTER (WHERE r.positive)::int AS positive,
              avg(e.confidence)::float8 AS mean_confidence
         FROM enriched e LEFT JOIN rated r USING (record_id)
        GROUP BY e.model_version ORDER BY records DESC`,
      [tenant.slug, q.from ?? null, q.to ?? null],
    );
    return {
      stage: q.stage,
      models: rows.map((r: { rated: number; negative: number; positive: number }) => ({
        ...r,
        negative_rate: r.rated ? r.negative / r.rated : null,
        positive_rate: r.rated ? r.positive / r.rated : null,
      })),
    };
  }
}
