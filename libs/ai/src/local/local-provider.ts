import { AI_LABELS, RECORD_TYPES } from '@refinery/contracts';
import {
  AiProviderError,
  type AiProvider,
  type AnalysisResult,
  type ClassificationResult,
  type RecordInput,
  type ResolutionResult,
} from '../provider';
import type { SeedExample } from '../seed/seed-set';
import { evaluateLocalModel, type EvaluationReport } from './evaluate';
import type { LocalModel } from './local-model';
import {
  trainLocalModel,
  type LocalModelOptions,
  type TrainedLocalModel,
  type TrainingReport,
} from './train-local-model';

/**
 * The default provider: a model trained in process on the generated seed set, so it needs
 * no network, no files and no GPU, and answers the same way on every machine.
 */
export class LocalProvider implements AiProvider {
  readonly name = 'local';
  readonly deterministic = true;
  readonly version: string;

  /** `version` names the model in every answer: a registry serves it as `<name>@<version>`. */
  constructor(
    readonly trained: TrainedLocalModel,
    version = trained.model.version,
  ) {
    this.version = version;
  }

  /** A model loaded from the registry: its training report lives in the registry, not here. */
  static serving(model: LocalModel, version: string): LocalProvider {
    const trained: TrainedLocalModel = {
      model,
      get report(): TrainingReport {
        throw new Error(`${version} was loaded from the registry: its figures are there`);
      },
    };
    return new LocalProvider(trained, version);
  }

  /** How the model did on its held-out split when it was trained. */
  get report(): TrainingReport {
    return this.trained.report;
  }

  /** Scores the model on other labelled examples, for instance another seed. */
  evaluate(examples: readonly SeedExample[]): EvaluationReport {
    return evaluateLocalModel(this.trained.model, examples);
  }

  async analyze(record: RecordInput): Promise<AnalysisResult> {
    const model = this.trained.model;
    const scores = model.scoreProblems(this.features(record));
    const found = scores
      .filter((s) => s.probability >= 0.5)
      .sort((a, b) => b.probability - a.probability)
      .map((s) => ({ code: s.code, confidence: s.probability }));
    if (found.length > 0) return { problems: found };
    // The codes are scored independently, so "none of them" is the product of the misses.
    const none = scores.reduce((p, s) => p * (1 - s.probability), 1);
    return { problems: [{ code: 'NONE', confidence: none }] };
  }

  /**
   * Reads the record itself rather than the analysis: the label model was trained on
   * records, and an analysis from another provider must not bend it.
   */
  async classify(record: RecordInput, _analysis: AnalysisResult): Promise<ClassificationResult> {
    const { label, confidence, explanation } = this.trained.model.classify(this.features(record));
    return { label, confidence, explanation };
  }

  async resolve(
    record: RecordInput,
    classification: ClassificationResult,
  ): Promise<ResolutionResult> {
    if (!AI_LABELS.includes(classification.label)) {
      throw new AiProviderError(`unknown label "${classification.label}"`, this.name);
    }
    const decision = this.trained.model.resolve(
      this.features(record),
      classification.label,
      classification.confidence,
    );
    return {
      action: decision.action,
      automatable: decision.automatable,
      rationale: decision.rationale,
      confidence: decision.confidence,
    };
  }

  /** A record that is not a valid order or exception would only get a guess, so refuse it. */
  private features(record: RecordInput): Map<string, number> {
    const schema = RECORD_TYPES[record.recordType];
    if (!schema) {
      throw new AiProviderError(`unsupported record type "${record.recordType}"`, this.name);
    }
    const parsed = record.checked ? undefined : schema.safeParse(record.payload);
    if (parsed?.success === false) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      throw new AiProviderError(
        `record ${record.recordId} is not a valid ${record.recordType}: ${where}`,
        this.name,
      );
    }
    return this.trained.model.features(record);
  }
}

/** Trained models by options: training takes a fraction of a second, but only once per process. */
const trainedModels = new Map<string, TrainedLocalModel>();

export function createLocalProvider(options: LocalModelOptions = {}): LocalProvider {
  const key = JSON.stringify([options.seed, options.size, options.labelNoise]);
  let trained = trainedModels.get(key);
  if (!trained) {
    trained = trainLocalModel(options);
    trainedModels.set(key, trained);
  }
  return new LocalProvider(trained);
}
