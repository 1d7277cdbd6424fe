import { Injectable } from '@nestjs/common';
import { notFound, problemFor, ProblemException } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import { FunnelWalk, median, type StepTally } from './funnel-walk';

export interface FunnelDefinition {
  steps: string[];
  conversion_window_seconds: number;
  strict_order: boolean;
}

export interface FunnelRun {
  from: string;
  to: string;
  breakdown?: string;
}

/** Stored and ad-hoc funnels: per step users, conversion, drop-off and median time from entry. */
@Injectable()
export class FunnelsUseCase {
  constructor(private readonly db: DataSource) {}

  async save(tenant: string, name: string, def: FunnelDefinition) {
    const rows = await this.db.query(
      `INSERT INTO conversion_funnels (tenant, funnel_name, steps, conversion_window, strict_order)
       VALUES ($1, $2, $3, make_interval(secs => $4), $5)
       ON CONFLICT (tenant, funnel_name) DO NOTHING RETURNING funnel_id`,
      [tenant, name, JSON.stringify(def.steps), def.conversion_window_seconds, def.strict_order],
    );
    if (rows.length === 0)
      throw new ProblemException(problemFor(409, `funnel ${name} already exists`));
    return { name, ...def };
  }

  async list(tenant: string) {
    const rows: { name: string; steps: string[]; seconds: number; strict_order: boolean }[] =
      await this.db.query(
        `SELECT funnel_name AS name, steps, extract(epoch FROM conversion_window)::float8 AS seconds,
                strict_order FROM conversion_funnels WHERE tenant = $1 ORDER BY funnel_name`,
        [tenant],
      );
    return rows.map((r) => ({
      name: r.name,
      steps: r.steps,
      conversion_window_seconds: r.seconds,
      strict_order: r.strict_order,
    }));
  }

  async runStored(tenant: string, name: string, run: FunnelRun) {
    const def = (await this.list(tenant)).find((f) => f.name === name);
    if (!def) throw notFound(`no funnel named ${name}`);
    return { name, ...(await this.run(tenant, def, run)) };
  }

  async run(tenant: string, def: FunnelDefinition, run: FunnelRun) {
    const [from, to] = [Date.parse(run.from), Date.parse(run.to)];
    const walk = new FunnelWalk(
      def.steps.length,
      from,
      to,
      def.conversion_window_seconds * 1000,
      def.strict_order,
    );
    // Each user's funnel events as one "step:epoch-ms,..." string, grouped in the database
    // (a hash aggregate, no global sort) and walked here in one pass.
    const users: { sequence: string; segment: string | null }[] = await this.db.transaction(
      async (tx) => {
        await tx.query(`SET LOCAL work_mem = '64MB'`);
        return tx.query(
          `SELECT string_agg((array_position($2::text[], event) - 1) || ':' ||
                             (extract(epoch FROM occurred_at) * 1000)::bigint, ',' ORDER BY occurred_at)
                    AS sequence,
                  (array_agg(properties ->> $6 ORDER BY occurred_at)
                     FILTER (WHERE event = $2[1] AND occurred_at >= $3::timestamptz))[1] AS segment
             FROM events
            WHERE tenant = $1 AND user_id IS NOT NULL AND event = ANY($2::text[])
              AND occurred_at >= $3::timestamptz
              AND occurred_at < $4::timestamptz + make_interval(secs => $5::float8)
            GROUP BY user_id`,
          [
            tenant,
            def.steps,
            run.from,
            run.to,
            def.conversion_window_seconds,
            run.breakdown ?? null,
          ],
        );
      },
    );
    for (const user of users) {
      const events = user.sequence.split(',').map((item) => {
        const colon = item.indexOf(':');
        return {
          step: Number(item.slice(0, colon)),
          at: Number(item.slice(colon + 1)),
          segment: run.breakdown ? (user.segment ?? '(none)') : null,
        };
      });
      walk.user(events);
    }
    const report = (tally: StepTally[] | undefined) =>
      def.steps.map((name, i) => {
        const users = tally?.[i].users ?? 0;
        const previous = i === 0 ? users : (tally?.[i - 1].users ?? 0);
        const entered = tally?.[0].users ?? 0;
        return {
          step: name,
          users,
          conversion_from_previous: i === 0 ? 1 : previous ? users / previous : 0,
          conversion_from_entry: entered ? users / entered : 0,
          drop_off: previous - users,
          median_seconds_from_entry: median(tally?.[i].seconds ?? []),
        };
      });
    const segments = walk.segments;
    return {
      steps: def.steps,
      conversion_window_seconds: def.conversion_window_seconds,
      strict_order: def.strict_order,
      from: run.from,
      to: run.to,
      ...(run.breakdown
        ? {
            breakdown: run.breakdown,
            segments: [...segments].map(([segment, tally]) => ({ segment, steps: report(tally) })),
          }
        : { report: report(segments.get('all')) }),
    };
  }
}
