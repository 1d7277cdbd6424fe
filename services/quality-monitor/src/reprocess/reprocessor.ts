import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  eventOf,
  GATED_STAGE,
  STAGES,
  unsureReason,
  type EventPayload,
  type StageName,
} from '@refinery/contracts';
import { JetStreamPublisher, type PublishItem } from '@refinery/messaging';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { Periodic } from '../periodic';
import { sharedCounter } from '../scrape-metrics';
import { EnrichmentReport } from '../report/enrichment-report';

/** Why a record is driven again. */
export type ReprocessReason = 'failed' | 'stuck' | 'unsure';

export interface SweepResult {
  tenant: string;
  requested: number;
  by_stage: Partial<Record<StageName, number>>;
  by_reason: Partial<Record<ReprocessReason, number>>;
  /** The first records asked for, to follow up on. */
  records: { record_id: string; stage: StageName; reason: ReprocessReason }[];
}

interface Candidate {
  record_id: string;
  input: EventPayload<'records.received'>['data'];
  requests: number;
  received_at: Date;
  stages: Record<string, { status: string; at: Date; confidence: number | null; report: unknown }>;
  escalated: string[];
}

const LISTED = 100;
/** Records per sweep and tenant: a bounded sweep, the next one picks up the rest. */
const BATCH = 5_000;

type RequestLabels = 'tenant' | 'stage' | 'reason';
const REASONS: ReprocessReason[] = ['failed', 'stuck', 'unsure'];

/**
 * Registered once per process, however many monitors it runs. Every tenant's series start
 * at 0, so a rate over them means something before the first request.
 */
export const reprocessMetrics = (tenants?: () => Promise<string[]>): Counter<RequestLabels> =>
  sharedCounter({
    name: 'refinery_quality_reprocess_requested_total',
    help: 'Records the quality monitor asked a stage to drive again, and why',
    labelNames: ['tenant', 'stage', 'reason'],
    async collect() {
      for (const tenant of (await tenants?.()) ?? [])
        for (const stage of STAGES)
          for (const reason of REASONS) this.inc({ tenant, stage, reason }, 0);
    },
  });

/**
 * Finds records that stopped short of enrichment.completed (a FAILED stage, a stage stuck
 * or never reached, an unsure answer nobody labelled) and publishes
 * enrichment.reprocess.<stage>.<tenant> for each. The stages count these against their
 * limits and escalate what is past them, so nothing stays incomplete without a person knowing.
 */
@Injectable()
export class Reprocessor implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Reprocessor');
  private readonly requests: Counter<RequestLabels>;
  private readonly schedule = new Periodic('sweep', () => this.sweepAll(), this.log);

  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
    private readonly reports: EnrichmentReport,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {
    this.requests = reprocessMetrics(() => this.reports.tenants());
  }

  onModuleInit(): void {
    this.schedule.start(this.config.QUALITY_SWEEP_INTERVAL);
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }

  /** The scheduled sweep: every tenant the monitor follows, one after another. */
  private async sweepAll(): Promise<void> {
    for (const tenant of await this.reports.tenants()) {
      try {
        const { requested } = await this.sweep(tenant);
        if (requested > 0) this.log.log(`sweep of ${tenant}: asked for ${requested} records again`);
      } catch (error) {
        this.log.error(`sweep of ${tenant} failed: ${(error as Error).message}`);
      }
    }
  }

  /** One tenant's sweep; `stuckAfterMs` overrides QUALITY_STUCK_AFTER for this call. */
  async sweep(
    tenant: string,
    stuckAfterMs = this.config.QUALITY_STUCK_AFTER,
  ): Promise<SweepResult> {
    const candidates = await this.candidates(tenant, stuckAfterMs);
    const now = Date.now();
    const picked: { candidate: Candidate; stage: StageName; reason: ReprocessReason }[] = [];
    for (const candidate of candidates) {
      const next = this.nextStage(candidate, now, stuckAfterMs);
      if (next) picked.push({ candidate, ...next });
    }
    const items: PublishItem[] = picked.map(({ candidate, stage, reason }) =>
      this.request(tenant, candidate, stage, reason),
    );
    await this.publisher.publishMany(items);
    if (picked.length > 0) {
      await this.db.query(
        `UPDATE record_states SET reprocess_requests = reprocess_requests + 1,
                reprocess_requested_at = now()
          WHERE record_id = ANY ($1::uuid[])`,
        [picked.map((p) => p.candidate.record_id)],
      );
    }
    const result: SweepResult = {
      tenant,
      requested: picked.length,
      by_stage: {},
      by_reason: {},
      records: [],
    };
    for (const { candidate, stage, reason } of picked) {
      result.by_stage[stage] = (result.by_stage[stage] ?? 0) + 1;
      result.by_reason[reason] = (result.by_reason[reason] ?? 0) + 1;
      if (result.records.length < LISTED)
        result.records.push({ record_id: candidate.record_id, stage, reason });
      this.requests.inc({ tenant, stage, reason });
    }
    return result;
  }

  /**
   * The first stage that has not answered for good, and why it should run again: it FAILED,
   * it (or the hand-over to it) has waited longer than `stuckAfterMs`, or its answer is unsure
   * and old. A stage a person already has is left to them.
   */
  private nextStage(c: Candidate, now: number, stuckAfterMs: number) {
    let previousAt = new Date(c.received_at).getTime();
    for (const stage of STAGES) {
      const state = c.stages[stage];
      if (c.escalated.includes(stage)) return undefined;
      if (!state) {
        return now - previousAt >= stuckAfterMs ? { stage, reason: 'stuck' as const } : undefined;
      }
      const at = new Date(state.at).getTime();
      if (state.status === 'FAILED') return { stage, reason: 'failed' as const };
      if (state.status === 'PENDING' || state.status === 'IN_PROGRESS') {
        return now - at >= stuckAfterMs ? { stage, reason: 'stuck' as const } : undefined;
      }
      const unsure =
        state.status === 'COMPLETED' &&
        unsureReason(stage, state.confidence, this.config.ENRICHMENT_MIN_CONFIDENCE) !== undefined;
      if (unsure && now - at >= this.config.QUALITY_UNSURE_AFTER) {
        return { stage, reason: 'unsure' as const };
      }
      previousAt = at;
    }
    return undefined;
  }

  private request(
    tenant: string,
    c: Candidate,
    stage: StageName,
    reason: ReprocessReason,
  ): PublishItem {
    const earlier = STAGES.slice(0, STAGES.indexOf(stage));
    const stages = Object.fromEntries(
      earlier.filter((s) => c.stages[s]?.report).map((s) => [s, c.stages[s].report]),
    );
    return eventOf(
      'enrichment.reprocess',
      {
        id: `${c.record_id}:${stage}:reprocess:${c.requests + 1}`,
        tenant,
        occurred_at: new Date().toISOString(),
        record_id: c.record_id,
        data: { stage, input: c.input, stages, reason },
      },
      { stage },
    );
  }

  /**
   * Records of the tenant that may need driving: not completed (or completed unsure), not
   * asked for within the cool-down, old enough to be stuck or with a FAILED stage.
   */
  private candidates(tenant: string, stuckAfterMs: number): Promise<Candidate[]> {
    return this.db.query(
      `SELECT r.record_id, r.input, r.reprocess_requests AS requests, r.received_at,
              COALESCE(json_object_agg(s.stage, json_build_object('status', s.status,
                'at', COALESCE(s.last_attempt_at, s.event_at), 'confidence', s.confidence,
                'report', s.report)) FILTER (WHERE s.stage IS NOT NULL), '{}') AS stages,
              ARRAY(SELECT e.stage FROM escalations e WHERE e.record_id = r.record_id) AS escalated
         FROM record_states r LEFT JOIN stage_states s USING (record_id)
        WHERE r.tenant = $1 AND r.input IS NOT NULL AND r.received_at IS NOT NULL
          AND (r.reprocess_requested_at IS NULL
               OR r.reprocess_requested_at < now() - make_interval(secs => $3))
          AND (
            (r.completed_at IS NULL AND (r.received_at < now() - make_interval(secs => $2)
              OR EXISTS (SELECT 1 FROM stage_states f
                          WHERE f.record_id = r.record_id AND f.status = 'FAILED')))
            OR EXISTS (SELECT 1 FROM stage_states u
                        WHERE u.record_id = r.record_id AND u.stage = $6
                          AND u.status = 'COMPLETED' AND u.confidence < $4
                          AND u.event_at < now() - make_interval(secs => $5)))
        GROUP BY r.record_id
        ORDER BY r.received_at
        LIMIT ${BATCH}`,
      [
        tenant,
        stuckAfterMs / 1000,
        this.config.QUALITY_REPROCESS_COOLDOWN / 1000,
        this.config.ENRICHMENT_MIN_CONFIDENCE,
        this.config.QUALITY_UNSURE_AFTER / 1000,
        GATED_STAGE,
      ],
    );
  }
}
