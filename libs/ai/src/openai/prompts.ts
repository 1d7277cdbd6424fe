import type { AnalysisResult, ClassificationResult, RecordInput } from '../provider';

/** The provider methods a model can be asked through. */
export type AiTask = 'analyze' | 'classify' | 'resolve';

/**
 * What a model is told to do, per task. Each stage service owns the prompt of the task it
 * asks and hands it over (`createAiProvider(config, { prompts })`); the provider frames it.
 */
export type TaskPrompts = Partial<Record<AiTask, string>>;

// What every task shares: the shape of a record and of an answer, which this library defines.
const CONTEXT =
  'You enrich e-commerce records for an operations team. A record is either an order ' +
  '(customer, items, totals, shipping with an optional promised_at) or a delivery exception ' +
  '(order_number, free-text description, carrier, who reported it). Answer only with JSON ' +
  'matching the given schema. Confidences are calibrated probabilities between 0 and 1.';

export const systemPrompt = (task: string) => `${CONTEXT}\n\nTask: ${task}`;

// Only the record type and payload go out: ids and tenant are of no use to the model and
// need not leave the system.
const recordPart = (record: RecordInput) => ({
  record_type: record.recordType,
  record: record.payload,
});

export const userMessages = {
  analyze: (record: RecordInput) => JSON.stringify(recordPart(record)),
  classify: (record: RecordInput, analysis: AnalysisResult) =>
    JSON.stringify({ ...recordPart(record), analysis }),
  resolve: (record: RecordInput, classification: ClassificationResult) =>
    JSON.stringify({ ...recordPart(record), classification }),
};
