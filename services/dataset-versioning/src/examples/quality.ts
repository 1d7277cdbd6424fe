import { ACTIONS, AI_LABELS, PROBLEM_CODES } from '@refinery/contracts';
import { sha256Hex } from '../versioning/hashes';
import { classOf, tierOf, type Tier } from './example';

/**
 * The design's quality score (0-100): completeness 30, correctness 40, clarity 15,
 * representativeness 15. The design leaves the split inside each part open; ours is in
 * docs/datasets.md, one line per criterion below, and each criterion is stored in
 * example_quality under its name.
 */
export interface ScoredExample {
  id: string;
  type: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown> | null;
  validated_by?: string | null;
}

/** What the rest of the dataset says about an example. */
export interface DatasetContext {
  /** Share of each class among the dataset's examples of the same type. */
  classShare(type: string, cls: string): number;
  /** Number of classes of that type in the dataset (at least 1). */
  classCount(type: string): number;
  /** Classes of the other examples (not `exampleId`) of the type whose normalized input text is `text`. */
  classesOfSameText(text: string, exampleId: string, type: string): string[];
}

export interface QualityScore {
  score: number;
  tier: Tier;
  parts: Record<string, number>;
}

const TEXT_FIELDS = ['description', 'text', 'message', 'notes', 'summary'];

/** The free text of an input, which labels are drawn from; '' when there is none. */
export function inputText(input: Record<string, unknown>): string {
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return '';
}

export const normalized = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Examples with the same normalized input text share this key. */
export const textKey = (normalizedText: string) => sha256Hex(normalizedText).slice(0, 32);

function outputIsValid(type: string, output: Record<string, unknown>): boolean {
  if (type === 'classification') return (AI_LABELS as readonly unknown[]).includes(output.label);
  if (type === 'resolution') return (ACTIONS as readonly unknown[]).includes(output.action);
  const problems = output.problems;
  return (
    Array.isArray(problems) &&
    problems.length > 0 &&
    problems.every((p) =>
      (PROBLEM_CODES as readonly unknown[]).includes(typeof p === 'string' ? p : p?.code),
    )
  );
}

const filled = (v: unknown) =>
  v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/** How a person vouched for the output: a correction or labelers' agreement 20, feedback 15. */
function humanVerification(example: ScoredExample): number {
  const source = example.labels?.source;
  if (source === 'correction' || example.validated_by) return 20;
  if (typeof example.labels?.agreement === 'number') return 20 * example.labels.agreement;
  if (source === 'positive_feedback') return 15;
  return 0;
}

function confidenceOf(labels: Record<string, unknown> | null): number {
  const c = labels?.confidence;
  return typeof c === 'number' && c >= 0 && c <= 1 ? c : 0.5;
}

export function scoreExample(example: ScoredExample, context: DatasetContext): QualityScore {
  const { type, input, output, labels } = example;
  const text = inputText(input);
  const cls = classOf(type, output);
  const fields = Object.values(input);
  const sameText = text ? context.classesOfSameText(normalized(text), example.id, type) : [];
  const share = cls ? context.classShare(type, cls) : 1;
  const parts: Record<string, number> = {
    // Completeness (30)
    completeness_input_text: text.length > 0 ? 10 : 0,
    completeness_output_valid: outputIsValid(type, output) ? 10 : 0,
    completeness_fields_filled: fields.length
      ? (10 * fields.filter(filled).length) / fields.length
      : 0,
    // Correctness (40)
    correctness_human_verified: humanVerification(example),
    correctness_outcome_confidence: 10 * confidenceOf(labels),
    correctness_consistent: sameText.length
      ? (10 * sameText.filter((c) => c === cls).length) / sameText.length
      : 10,
    // Clarity (15)
    clarity_single_label: cls !== null && !cls.includes('+') ? 5 : cls ? 3 : 0,
    clarity_text_length: text.length >= 20 && text.length <= 2000 ? 5 : text.length > 0 ? 2 : 0,
    clarity_edge_case_documented:
      labels && ('edge_case' in labels || 'difficulty' in labels || filled(labels.reason)) ? 5 : 0,
    // Representativeness (15)
    representativeness_class_balance: cls
      ? 10 * Math.min(1, 1 / context.classCount(type) / Math.max(share, 1e-9))
      : 0,
    representativeness_unique_input: sameText.length === 0 ? 5 : 0,
  };
  for (const key of Object.keys(parts)) parts[key] = Math.round(parts[key] * 100) / 100;
  const score = Math.round(Object.values(parts).reduce((a, b) => a + b, 0) * 100) / 100;
  return { score, tier: tierOf(score), parts };
}
