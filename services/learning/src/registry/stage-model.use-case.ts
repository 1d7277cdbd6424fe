import { Injectable } from '@nestjs/common';
import { ProblemException, problemFor } from '@refinery/runtime';
import { modelVersionOf } from './model-artifacts';
import { PublishModelsUseCase } from './publish-models.use-case';
import { RegistryRepository, type RegisteredModel } from './registry.repository';

const notFound = (what: string) => new ProblemException(problemFor(404, `${what} does not exist`));
const conflict = (detail: string) => new ProblemException(problemFor(409, detail));

/** A person moves a model between stages: promote a staging model, or roll production back. */
@Injectable()
export class StageModelUseCase {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly publish: PublishModelsUseCase,
  ) {}

  async promote(
    tenant: string,
    name: string,
    version: number,
    actor: string,
    reason: string | null,
  ): Promise<RegisteredModel> {
    const promoted = await this.registry.transaction(async (tx) => {
      await this.registry.lockTenant(tx, tenant);
      const model = await this.registry.find(tenant, name, version, tx);
      if (!model) throw notFound(`model ${name}@${version}`);
      if (model.stage === 'production')
        throw conflict(`${name}@${version} is already in production`);
      const [current] = (await this.registry.production(tenant, tx)).filter((m) => m.name === name);
      const why = reason ?? `promoted by ${actor}`;
      if (current)
        await this.registry.setStage(
          tx,
          current,
          'archived',
          `replaced by ${name}@${version}`,
          actor,
        );
      await this.registry.setStage(tx, model, 'production', why, actor);
      return (await this.registry.find(tenant, name, version, tx))!;
    });
    await this.publish.execute(tenant, 'promoted', [name]);
    return promoted;
  }

  /** Production goes back to the newest earlier version that served: v3 to v2, then v1. */
  async rollback(
    tenant: string,
    name: string,
    actor: string,
    reason: string | null,
  ): Promise<{ from: RegisteredModel; to: RegisteredModel }> {
    const result = await this.registry.transaction(async (tx) => {
      await this.registry.lockTenant(tx, tenant);
      const [current] = (await this.registry.production(tenant, tx)).filter((m) => m.name === name);
      if (!current) throw notFound(`a production ${name} model`);
      const previous = await this.registry.earlierProduction(tx, tenant, name, current.version);
      if (!previous) throw conflict(`${modelVersionOf(current)} has no earlier production model`);
      const why = reason ?? `rolled back by ${actor}`;
      await this.registry.setStage(tx, current, 'archived', why, actor);
      await this.registry.setStage(tx, previous, 'production', why, actor);
      return {
        from: (await this.registry.find(tenant, name, current.version, tx))!,
        to: (await this.registry.find(tenant, name, previous.version, tx))!,
      };
    });
    await this.publish.execute(tenant, 'rolled_back', [name]);
    return result;
  }
}
