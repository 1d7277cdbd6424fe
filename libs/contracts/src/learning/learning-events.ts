import { z } from 'zod';
import { ACTIONS, AI_LABELS } from '../enrichment/vocabulary';

const datetime = z.iso.datetime({ offset: true });

/** The design's vocabularies: the learning tables' CHECK constraints hold exactly these. */
export const FEEDBACK_TYPES = ['thumbs_up', 'thumbs_down', 'star_rating', 'emoji'] as const;
export const CORRECTION_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const LEARNING_STATUSES = ['pending', 'approved', 'rejected', 'applied'] as const;
export const LEARNING_SOURCES = ['feedback', 'correction', 'transcript', 'manual'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;

/** An answer about a record: the label classification gave and the action resolution chose. */
export const AnswerSchema = z.object({
  label: z.enum(AI_LABELS).nullable(),
  action: z.enum(ACTIONS).nullable(),
});

export const FeedbackRecordedSchema = z.object({
  feedback_id: z.uuid(),
  feedback_type: z.enum(FEEDBACK_TYPES),
  rating: z.number().int().min(1).max(5).nullable(),
  reason: z.string().nullable(),
  /** Whether it enqueued a learning item (negative feedback does). */
  learning_item_id: z.uuid().nullable(),
});

export const CorrectionRecordedSchema = z.object({
  correction_id: z.uuid(),
  original_response: AnswerSchema,
  corrected_answer: AnswerSchema,
  priority: z.enum(CORRECTION_PRIORITIES),
  reason: z.string().nullable(),
  learning_item_id: z.uuid(),
});

/** An approved learning applied: the corrected example that dataset and model work take in. */
export const LearningAppliedSchema = z.object({
  item_id: z.uuid(),
  source_type: z.enum(LEARNING_SOURCES),
  source_id: z.uuid().nullable(),
  /** What the model saw: the record's input as enrichment had it. */
  input: z.record(z.string(), z.unknown()),
  /** What it should have answered. */
  expected_output: z.record(z.string(), z.unknown()),
  /** What it did answer, when known. */
  original_output: z.record(z.string(), z.unknown()).nullable(),
  reason: z.string().nullable(),
  confidence_score: z.number().min(0).max(100),
  approved_by: z.string(),
  applied_at: datetime,
});
