/** Why a record waits for a person. */
export const REVIEW_REASONS = [
  'review_requested',
  'low_confidence',
  'unlabeled',
  'negative_feedback',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

/** How each feature moved the model's answer, as the stage that answered explained it. */
export interface Explanation {
  top_features: string[];
  contributions: Array<{ feature: string; weight: number }>;
  text: string | null;
}

/** A record waiting in the review console. */
export interface ReviewItem {
  record_id: string;
  record_type: string;
  /** The record's payload, as the AI saw it. */
  input: Record<string, unknown>;
  answer: { label: string | null; confidence: number | null; action: string | null };
  model_version: string | null;
  reasons: ReviewReason[];
  explanation: Explanation | null;
  waiting_since: string;
}
