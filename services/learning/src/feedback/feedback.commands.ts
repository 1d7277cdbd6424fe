import { ACTIONS, AI_LABELS, CORRECTION_PRIORITIES, FEEDBACK_TYPES } from '@refinery/contracts';
import { parseInput } from '@refinery/runtime';
import { z } from 'zod';

export const RatingBodySchema = z
  .strictObject({
    record_id: z.uuid(),
    feedback_type: z.enum(FEEDBACK_TYPES),
    rating: z.number().int().min(1).max(5).optional(),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((body) => body.feedback_type !== 'star_rating' || body.rating !== undefined, {
    path: ['rating'],
    message: 'a star_rating needs a rating from 1 to 5',
  });
export type RatingBody = z.infer<typeof RatingBodySchema>;

export const CorrectionBodySchema = z.strictObject({
  record_id: z.uuid(),
  corrected_answer: z
    .strictObject({ label: z.enum(AI_LABELS).optional(), action: z.enum(ACTIONS).optional() })
    .refine((answer) => answer.label !== undefined || answer.action !== undefined, {
      message: 'give the right label, the right action or both',
    }),
  priority: z.enum(CORRECTION_PRIORITIES).default('normal'),
  reason: z.string().trim().min(1).max(2000).optional(),
});
export type CorrectionBody = z.infer<typeof CorrectionBodySchema>;

/** Who gave it and for which tenant: both from the credential, never from the body. */
export interface Author {
  tenant: string;
  actor: string;
}

export class RecordRatingCommand {
  private constructor(
    readonly author: Author,
    readonly body: RatingBody,
  ) {}

  static from(author: Author, body: unknown): RecordRatingCommand {
    return new RecordRatingCommand(author, parseInput(RatingBodySchema, body));
  }
}

export class RecordCorrectionCommand {
  private constructor(
    readonly author: Author,
    readonly body: CorrectionBody,
  ) {}

  static from(author: Author, body: unknown): RecordCorrectionCommand {
    return new RecordCorrectionCommand(author, parseInput(CorrectionBodySchema, body));
  }
}
