import { ACTIONS, AI_LABELS, PROBLEM_CODES } from '@refinery/contracts';
import type { AnalysisResult, ClassificationResult, RecordInput } from '../provider';

const list = (values: readonly string[]) => values.join(', ');

const CONTEXT =
  'You enrich e-commerce records for an operations team. A record is either an order ' +
  '(customer, items, totals, shipping with an optional promised_at) or a delivery exception ' +
  '(order_number, free-text description, carrier, who reported it). Answer only with JSON ' +
  'matching the given schema. Confidences are calibrated probabilities between 0 and 1.';

export const SYSTEM_PROMPTS = {
  analyze:
    `${CONTEXT}\n\nTask: list every problem the record shows, each with a confidence. ` +
    `Allowed codes: ${list(PROBLEM_CODES)}. When nothing is wrong, answer with a single NONE ` +
    'entry; never combine NONE with another code.',
  classify:
    `${CONTEXT}\n\nTask: choose the single label that best describes the record, given the ` +
    `record and the problems an earlier analysis found. Allowed labels: ${list(AI_LABELS)}. ` +
    'Explain with up to 5 features (short snake_case names of fields or phrases in the record), ' +
    'strongest first, each with a signed weight: positive supports the label, negative argues ' +
    'against it.',
  resolve:
    `${CONTEXT}\n\nTask: choose the next action for the record, given the record and its ` +
    `classification. Allowed actions: ${list(ACTIONS)}. Set automatable to true only when the ` +
    'action can safely run without a person reviewing it. Give a one-sentence rationale.',
} as const;

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
