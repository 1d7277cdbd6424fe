export { type GenerateOptions, generate, type RunSummary } from './run';
export * from './schema';
export type { GeneratedEvent } from './publish/event-template';
export type { EventPublisher, PublishSummary, TypeCounts } from './publish/publisher';
export type { QualityReport } from './validate/validator';
export { FILE_EXTENSIONS, type OutputFormat } from './output';
export type { RowListener } from './generate/engine';
export type { RowContext } from './generate/model';
export { HttpPublisher, NatsPublisher, publisherFor } from './publish';
export {
  type Intent as ParaphraseIntent,
  type PairRelation,
  type ParaphraseEdit,
  type ParaphraseOptions,
  paraphrasePairs,
  type SentencePair,
} from './text/paraphrase';
export { openSink, type ColumnSpec, type RowSink } from './output';
