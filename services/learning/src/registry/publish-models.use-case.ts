import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { eventOf, type EventPayload } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { modelVersionOf } from './model-artifacts';
import { RegistryRepository } from './registry.repository';

type Published = EventPayload<'models.published'>['data'];

/**
 * Announces a tenant's production models with their weights, one message per name. The last
 * message of a name is all a starting stage needs; every set is announced again at start,
 * which also covers a crash between a promotion's commit and its announcement.
 */
@Injectable()
export class PublishModelsUseCase {
  private readonly log = new Logger('model-registry');

  constructor(
    private readonly registry: RegistryRepository,
    private readonly publisher: JetStreamPublisher,
  ) {}

  /** The tenant's production model of each of `names` (all by default). */
  async execute(
    tenant: string,
    reason: Published['reason'],
    names?: readonly string[],
  ): Promise<Published[]> {
    const production = (await this.registry.production(tenant)).filter(
      (m) => !names || names.includes(m.name),
    );
    const artifacts = await this.registry.artifacts([
      ...new Set(production.map((m) => m.artifact_hash)),
    ]);
    const announced = production.map((m): Published => ({
      reason,
      name: m.name,
      version: m.version,
      model_version: modelVersionOf(m),
      artifact_hash: m.artifact_hash,
      lineage: {
        dataset: (m.lineage.dataset as string | null) ?? null,
        commit: (m.lineage.commit as string | null) ?? null,
        feature_space: String(m.lineage.feature_space),
        code_revision: String(m.lineage.code_revision),
      },
      artifact: artifacts.get(m.artifact_hash)!.toString('base64'),
    }));
    await this.publisher.publishMany(
      announced.map((data) =>
        eventOf(
          'models.published',
          {
            id: `models.published:${tenant}:${data.model_version}:${randomUUID()}`,
            tenant,
            occurred_at: new Date().toISOString(),
            record_id: null,
            data,
          },
          { model: data.name },
        ),
      ),
    );
    for (const m of announced) this.log.log(`${tenant}: serving ${m.model_version} (${reason})`);
    return announced;
  }

  async republishAll(): Promise<void> {
    for (const tenant of await this.registry.tenantsInProduction())
      await this.execute(tenant, 'republished');
  }
}
