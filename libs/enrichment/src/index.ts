export * from './config';
export * from './stage-definition';
export { StageProcessor } from './stage-processor';
export { StageRecordsRepository, type Claimed } from './stage-records.repository';
export {
  StageModule,
  consumersOf,
  reprocessConsumerOf,
  schemaOfStage,
  stageMigrations,
} from './stage.module';
export type { StageModuleOptions } from './stage.module';
export { runStageService, stageDataSource } from './run-stage-service';
export type { StageServiceOptions } from './run-stage-service';
export { ServedModels } from './served-models';
export type { ModelLoader, Swap } from './served-models';
