import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  evaluateCorrections,
  FEATURE_SPACE_VERSION,
  referenceExamples,
  type CorrectionMetrics,
  type DecisionMetrics,
  type LocalModel,
} from '@refinery/ai';
import { SERVED_MODELS, type ServedModelName } from '@refinery/contracts';
import type { EntityManager } from 'typeorm';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { TASK, trainCandidate } from './candidate-training';
import { codeRevision } from './code-revision';
import { DatasetClient } from '../shared/dataset-client';
import { artifactOf, modelOf, modelVersionOf, shippedModel } from './model-artifacts';
import { decidePromotion, type PromotionDecision } from './promotion-policy';
import { PublishModelsUseCase } from './publish-models.use-case';
import { RegistryRepository, type RegisteredModel } from './registry.repository';
import { trainingSetOf } from './training-set';

export interface TrainRequest {
  tenant: string;
  dataset: string;
  /** A branch, tag or commit hash of the dataset. */
  ref: string;
  actor: string;
  /** Why it trains: the commit event, or a person's call. */
  trigger: string;
}

export interface TrainingOutcome {
  dataset: string;
  commit: string;
  examples: { train: number; validation: number; skipped: number };
  training_ms: number;
  models: (Omit<RegisteredModel, 'decision'> & { decision: PromotionDecision })[];
  published: boolean;
}

/** A model's scores where a candidate is compared with it. */
interface Scored {
  validation: CorrectionMetrics;
  reference: CorrectionMetrics;
}

interface Production extends Scored {
  row: RegisteredModel;
}

/**
 * Trains the local classification and resolution models on a dataset commit's train split
 * (with the seed set they were first trained on), scores the candidate and production on the
 * commit's Gold validation split, and promotes each name whose candidate beats production.
 */
@Injectable()
export class TrainModelsUseCase {
  private readonly log = new Logger('model-registry');

  constructor(
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
    private readonly datasets: DatasetClient,
    private readonly registry: RegistryRepository,
    private readonly publish: PublishModelsUseCase,
  ) {}

  async execute(request: TrainRequest): Promise<TrainingOutcome> {
    const { tenant, dataset } = request;
    const commit = await this.datasets.commit(tenant, dataset, request.ref);
    const set = trainingSetOf(tenant, await this.datasets.examples(tenant, dataset, commit));
    const rules = {
      margin: this.config.LEARNING_PROMOTION_MARGIN,
      maxRecallDrop: this.config.LEARNING_MAX_RECALL_DROP,
      maxRegression: this.config.LEARNING_MAX_REGRESSION,
    };

    const models = await this.registry.transaction(async (tx) => {
      await this.registry.lockTenant(tx, tenant);
      const reference = referenceExamples();
      // Classification and resolution often share one artifact: each is scored once.
      const scored = new Map<string, Scored>();
      const production = {} as Record<ServedModelName, Production>;
      for (const name of SERVED_MODELS) {
        const { row, model } = await this.productionOf(tx, tenant, name);
        let scores = scored.get(row.artifact_hash);
        if (!scores) {
          scores = {
            validation: evaluateCorrections(model, set.validation),
            reference: evaluateCorrections(model, reference),
          };
          scored.set(row.artifact_hash, scores);
        }
        production[name] = { row, ...scores };
      }
      const candidate = trainCandidate(
        set.train,
        set.validation,
        reference,
        `local-${commit.slice(0, 12)}`,
      );
      const artifact = artifactOf(candidate.model);
      await this.registry.saveArtifact(artifact.hash, artifact.bytes, tx);
      const lineage = {
        dataset,
        commit,
        feature_space: FEATURE_SPACE_VERSION,
        code_revision: codeRevision(),
        train_examples: set.train.length,
        validation_examples: set.validation.length,
        trigger: request.trigger,
        training_ms: candidate.trainingMs,
      };
      const out: TrainingOutcome['models'] = [];
      for (const name of SERVED_MODELS) {
        const task = TASK[name];
        const prod = production[name];
        const prodReference = prod.reference[task];
        const decision = decidePromotion(
          candidate.validation[task],
          prod.validation[task],
          modelVersionOf(prod.row),
          rules,
          prodReference && candidate.reference[task]
            ? { candidate: candidate.reference[task].accuracy, production: prodReference.accuracy }
            : null,
        );
        const row = await this.registry.insert(tx, {
          tenant,
          name,
          owner: request.actor,
          description: `${name} retrained on ${dataset}@${commit.slice(0, 12)} (${request.trigger})`,
          artifact_hash: artifact.hash,
          stage: 'staging',
          lineage,
          metrics: {
            ...metricsOf(candidate.validation[task]),
            reference: candidate.reference[task],
          },
          decision: decision as unknown as Record<string, unknown>,
        });
        await this.registry.recordChange(
          tx,
          row.id,
          tenant,
          null,
          'staging',
          decision.reason,
          request.actor,
        );
        if (decision.promote) {
          const why = `replaced by ${modelVersionOf(row)}`;
          await this.registry.setStage(tx, prod.row, 'archived', why, request.actor);
          await this.registry.setStage(tx, row, 'production', decision.reason, request.actor);
          row.stage = 'production';
        }
        out.push({ ...row, decision });
      }
      return out;
    });

    const promoted = models.filter((m) => m.decision.promote).map((m) => m.name);
    const published = promoted.length > 0;
    if (published) await this.publish.execute(tenant, 'promoted', promoted);
    for (const m of models)
      this.log.log(`${tenant}: ${modelVersionOf(m)} ${m.stage}: ${m.decision.reason}`);
    return {
      dataset,
      commit,
      examples: {
        train: set.train.length,
        validation: set.validation.length,
        skipped: set.skipped,
      },
      training_ms: Number(models[0]?.lineage.training_ms ?? 0),
      models,
      published,
    };
  }

  /**
   * The tenant's production model of the name; before its first promotion that is the shipped
   * model, registered here as version 1 so that a rollback has somewhere to go.
   */
  private async productionOf(
    tx: EntityManager,
    tenant: string,
    name: ServedModelName,
  ): Promise<{ row: RegisteredModel; model: LocalModel }> {
    const [current] = (await this.registry.production(tenant, tx)).filter((m) => m.name === name);
    if (current) {
      const hash = current.artifact_hash;
      return { row: current, model: modelOf((await this.registry.artifacts([hash])).get(hash)!) };
    }
    const model = shippedModel();
    const artifact = artifactOf(model);
    await this.registry.saveArtifact(artifact.hash, artifact.bytes, tx);
    const row = await this.registry.insert(tx, {
      tenant,
      name,
      owner: 'refinery',
      description: `the shipped ${name} model, trained on the generated seed set`,
      artifact_hash: artifact.hash,
      stage: 'production',
      lineage: {
        dataset: null,
        commit: null,
        feature_space: FEATURE_SPACE_VERSION,
        code_revision: codeRevision(),
        seed_model: model.version,
      },
      metrics: {},
      decision: null,
    });
    await this.registry.recordChange(
      tx,
      row.id,
      tenant,
      null,
      'production',
      'the shipped model',
      'refinery',
    );
    return { row, model };
  }
}

function metricsOf(metrics: DecisionMetrics | undefined): Record<string, unknown> {
  return metrics ? { ...metrics } : { examples: 0 };
}
