import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Journey } from './journey';

interface Step {
  user_id: string;
  journey: string | null;
  is_conversion: boolean;
  channel: string | null;
  at: number;
  value: number | null;
}

/**
 * Journeys from events: per user, in time order, the campaign touches (events with a UTM
 * source, the channel) up to each conversion make a converting journey; touches after the
 * user's last conversion make one that did not convert. Events that name their journey
 * (`properties.journey`, as campaign tools tag them) are grouped by it instead: the touches and
 * conversion of one journey. The models apply the lookback.
 */
@Injectable()
export class JourneysRepository {
  constructor(private readonly db: DataSource) {}

  async journeys(
    tenant: string,
    window: { from: string; to: string; lookbackDays: number },
    conversionEvent: string,
  ): Promise<Journey[]> {
    const steps: Step[] = await this.db.query(
      `SELECT user_id, properties ->> 'journey' AS journey, event = $4 AS is_conversion, campaign_source AS channel,
              (extract(epoch FROM occurred_at) * 1000)::float8 AS at, revenue::float8 AS value
         FROM events
        WHERE tenant = $1 AND user_id IS NOT NULL
          AND occurred_at >= $2::timestamptz - make_interval(days => $5) AND occurred_at < $3::timestamptz
          AND (event = $4 OR (campaign_source IS NOT NULL AND event IS DISTINCT FROM $4))
        ORDER BY user_id, properties ->> 'journey' NULLS LAST, occurred_at`,
      [tenant, window.from, window.to, conversionEvent, window.lookbackDays],
    );
    const from = Date.parse(window.from);
    const journeys: Journey[] = [];
    let touches: Journey['touches'] = [];
    let user: string | null = null;
    const close = () => {
      if (touches.length > 0) journeys.push({ id: `${user}:open`, touches, converted: false });
      touches = [];
    };
    let journey: string | null = null;
    for (const step of steps) {
      if (step.user_id !== user || step.journey !== journey) {
        close();
        user = step.user_id;
        journey = step.journey;
      }
      if (!step.is_conversion) {
        touches.push({ channel: step.channel!, at: step.at });
        continue;
      }
      // Conversions before the period only close the touches that led to them.
      if (step.at >= from) {
        journeys.push({
          id: `${user}:${journey ?? step.at}`,
          touches,
          converted: true,
          conversion_at: step.at,
          value: step.value ?? 0,
        });
      }
      touches = [];
    }
    close();
    return journeys;
  }
}
