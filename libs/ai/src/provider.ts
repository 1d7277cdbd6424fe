/**
 * What every AI provider (local model, OpenAI-compatible endpoint, rules) answers for the
 * three enrichment stages. A provider that cannot answer throws: it never makes up a
 * default result, so the stage can leave its outputs NULL and retry.
 */

export { ACTIONS, AI_LABELS, PROBLEM_CODES } from '@refinery/contracts';
export type { Action, AiLabel, ProblemCode } from '@refinery/contracts';
import type { Action, AiLabel, ProblemCode } from '@refinery/contracts';

/** The record as ingestion stored it: `payload` is an order or a delivery exception. */
export interface RecordInput {
  recordId: string;
  tenant: string;
  recordType: 'order' | 'exception';
  payload: Record<string, unknown>;
  /**
   * The payload already passed its record type's schema: a stage's consumer validates every
   * message it hands on, so the provider need not parse the payload a second time.
   */
  checked?: boolean;
}

export interface DetectedProblem {
  code: ProblemCode;
  confidence: number;
}

export interface AnalysisResult {
  /** At least one entry; `[{ code: 'NONE', ... }]` when nothing is wrong. */
  problems: DetectedProblem[];
}

/** A feature that pushed the decision, with its signed contribution. */
export interface Contribution {
  feature: string;
  weight: number;
}

export interface ClassificationResult {
  label: AiLabel;
  /** Calibrated probability of `label`, in [0, 1]. */
  confidence: number;
  /** The features that weighed most, strongest first. */
  explanation: Contribution[];
}

export interface ResolutionResult {
  action: Action;
  automatable: boolean;
  rationale: string;
  confidence: number;
}

export interface AiProvider {
  /** `local`, `openai`, `rules`. */
  readonly name: string;
  /** Model and provider version, recorded with every result. */
  readonly version: string;
  /** Whether asking again can bring a different answer (an LLM) or never does (a fixed model). */
  readonly deterministic: boolean;
  analyze(record: RecordInput): Promise<AnalysisResult>;
  classify(record: RecordInput, analysis: AnalysisResult): Promise<ClassificationResult>;
  resolve(record: RecordInput, classification: ClassificationResult): Promise<ResolutionResult>;
}

/** The provider could not give a usable answer (network, HTTP status, off-schema output). */
export class AiProviderError extends Error {
  constructor(
    message: string,
    readonly provider: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AiProviderError';
  }
}
