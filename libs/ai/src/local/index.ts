export { createLocalProvider, LocalProvider } from './local-provider';
export {
  trainLocalModel,
  type LocalModelOptions,
  type TrainedLocalModel,
  type TrainingReport,
} from './train-local-model';
export { evaluateLocalModel, type EvaluationReport } from './evaluate';
export type { LocalModel } from './local-model';
