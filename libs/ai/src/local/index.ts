export { createLocalProvider, LocalProvider } from './local-provider';
export {
  trainLocalModel,
  type LocalModelOptions,
  type TrainedLocalModel,
  type TrainingReport,
} from './train-local-model';
export {
  DEFAULT_CORRECTION_WEIGHT,
  referenceExamples,
  retrainLocalModel,
  type CorrectionExample,
  type RetrainOptions,
} from './retrain';
export { deserializeLocalModel, serializeLocalModel } from './model-artifact';
export { FEATURE_SPACE_VERSION } from './record-features';
export { evaluateLocalModel, type EvaluationReport } from './evaluate';
export {
  decisionMetrics,
  evaluateCorrections,
  type CorrectionMetrics,
  type DecisionMetrics,
} from './decision-metrics';
export type { LocalModel } from './local-model';
