import { Inject, Injectable, Logger } from '@nestjs/common';
import { DATASETS_CONFIG, type DatasetsConfig } from '../config';
import { CurateUseCase } from '../datasets/curate.use-case';
import { DatasetsRepository } from '../datasets/datasets.repository';
import type { NewExample } from '../examples/example';
import { confirmedExamples } from './candidate-examples';
import { DecisionsRepository } from './decisions.repository';

export const CANDIDATES_BRANCH = 'candidates';

/**
 * Lands production examples on the `candidates` branch of each tenant's candidates dataset
 * (created on first use), keeping those that score at least the quality threshold. A curator
 * commits that branch and merges what they accept.
 */
@Injectable()
export class PromoteCandidatesUseCase {
  private readonly log = new Logger('Candidates');

  constructor(
    @Inject(DATASETS_CONFIG) private readonly config: DatasetsConfig,
    private readonly datasets: DatasetsRepository,
    private readonly curate: CurateUseCase,
    private readonly decisions: DecisionsRepository,
  ) {}

  async stage(
    tenant: string,
    examples: NewExample[],
  ): Promise<{ staged: number; dropped: number }> {
    if (examples.length === 0) return { staged: 0, dropped: 0 };
    const name = this.config.DATASETS_CANDIDATES_DATASET;
    const dataset =
      (await this.datasets.find(tenant, name)) ??
      (await this.datasets.create(tenant, name, 'Examples drawn from production', 'pipeline')) ??
      (await this.datasets.find(tenant, name))!;
    const { examples: kept } = await this.curate.add(dataset, CANDIDATES_BRANCH, examples, {
      create: true,
      minScore: this.config.DATASETS_QUALITY_THRESHOLD,
    });
    const dropped = examples.length - kept.length;
    if (dropped > 0)
      this.log.log(`${tenant}: ${dropped} candidate(s) under the quality threshold dropped`);
    return { staged: kept.length, dropped };
  }

  /** Decisions confirmed by positive feedback whose enrichment result has arrived. */
  async promoteConfirmed(): Promise<number> {
    let promoted = 0;
    for (;;) {
      const batch = await this.decisions.promotable(100);
      if (batch.length === 0) return promoted;
      const byTenant = new Map<string, NewExample[]>();
      for (const d of batch) {
        const list = byTenant.get(d.tenant) ?? [];
        list.push(...confirmedExamples(d.record_id, d.input_data, d.outputs));
        byTenant.set(d.tenant, list);
      }
      for (const [tenant, examples] of byTenant) await this.stage(tenant, examples);
      await this.decisions.markPromoted(batch);
      promoted += batch.length;
    }
  }
}
