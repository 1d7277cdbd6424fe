import { Inject, Injectable, Logger } from '@nestjs/common';
import { GATED_STAGE, type StageName } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { durationVar } from '@refinery/runtime';
import type { Counter } from 'prom-client';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { parseInput } from '@refinery/runtime';
import { ListTenantsUseCase } from '../report/list-tenants.use-case';
import { nextStage, reprocessRequest, type ReprocessReason } from './reprocess-decision';
import { reprocessMetrics } from './reprocess-metrics';
import { ReprocessRepository } from './reprocess.repository';
import { StoredInputs } from './stored-inputs';

export interface SweepResult {
  tenant: string;
  requested: number;
  by_stage: Partial<Record<StageName, number>>;
  by_reason: Partial<Record<ReprocessReason, number>>;
  /** Records due again whose input their stream no longer holds (past its retention). */
  inputs_missing: number;
  /** The first records asked for, to follow up on. */
  records: { record_id: string; stage: StageName; reason: ReprocessReason }[];
}

const LISTED = 100;
/** Records per sweep and tenant: a bounded sweep, the next one picks up the rest. */
const BATCH = 5_000;

/** `POST process/:tenant[?stuck_after=30m]`: QUALITY_STUCK_AFTER when left out. */
export class SweepCommand {
  private constructor(
    readonly tenant: string,
    readonly stuckAfterMs?: number,
  ) {}

  static from(tenant: string, stuckAfter?: string): SweepCommand {
    const after =
      stuckAfter === undefined ? undefined : parseInput(durationVar, stuckAfter, 'stuck_after');
    return new SweepCommand(tenant, after);
  }
}

/**
 * Finds records that stopped short of enrichment.completed (a FAILED stage, a stage stuck
 * or never reached, an unsure answer nobody labelled) and publishes
 * enrichment.reprocess.<stage>.<tenant> for each. The stages count these against their
 * limits and escalate what is past them, so nothing stays incomplete without a person knowing.
 */
@Injectable()
export class SweepUseCase {
  private readonly log = new Logger('Reprocessor');
  private readonly requests: Counter<'tenant' | 'stage' | 'reason'>;

  constructor(
    private readonly records: ReprocessRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly tenants: ListTenantsUseCase,
    private readonly inputs: StoredInputs,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {
    this.requests = reprocessMetrics(() => this.tenants.execute());
  }

  /** The scheduled sweep: every tenant the monitor follows, one after another. */
  async all(): Promise<void> {
    for (const tenant of await this.tenants.execute()) {
      try {
        const { requested } = await this.execute(SweepCommand.from(tenant));
        if (requested > 0) this.log.log(`sweep of ${tenant}: asked for ${requested} records again`);
      } catch (error) {
        this.log.error(`sweep of ${tenant} failed: ${(error as Error).message}`);
      }
    }
  }

  async execute({ tenant, stuckAfterMs }: SweepCommand): Promise<SweepResult> {
    const c = this.config;
    const stuck = stuckAfterMs ?? c.QUALITY_STUCK_AFTER;
    const candidates = await this.records.candidates(tenant, {
      stuckAfterMs: stuck,
      cooldownMs: c.QUALITY_REPROCESS_COOLDOWN,
      gatedStage: GATED_STAGE,
      minConfidence: c.ENRICHMENT_MIN_CONFIDENCE,
      unsureAfterMs: c.QUALITY_UNSURE_AFTER,
      limit: BATCH,
    });
    const timing = {
      now: Date.now(),
      stuckAfterMs: stuck,
      unsureAfterMs: c.QUALITY_UNSURE_AFTER,
      minConfidence: c.ENRICHMENT_MIN_CONFIDENCE,
    };
    const next = candidates.flatMap((candidate) => {
      const step = nextStage(candidate, timing);
      return step ? [{ candidate, ...step }] : [];
    });
    const inputs = await this.inputs.resolve(tenant, next);
    const picked = next.flatMap((p, i) => (inputs[i] ? [{ ...p, input: inputs[i] }] : []));
    await this.publisher.publishMany(
      picked.map(({ candidate, stage, reason, input }) =>
        reprocessRequest(tenant, candidate, stage, reason, input),
      ),
    );
    await this.records.markRequested(
      tenant,
      picked.map((p) => p.candidate.record_id),
    );
    const result: SweepResult = {
      tenant,
      requested: picked.length,
      inputs_missing: next.length - picked.length,
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
}
