import { z } from 'zod';
import { isoDateTime } from './fields';

export const TRANSCRIPT_CHANNELS = ['phone', 'chat', 'email', 'social'] as const;
export const TRANSCRIPT_SPEAKERS = ['customer', 'agent', 'system'] as const;

/** One turn of the conversation: who spoke, what they said and, when known, when. */
export const TranscriptTurnSchema = z.looseObject({
  speaker: z.enum(TRANSCRIPT_SPEAKERS),
  text: z.string().min(1).max(10_000),
  at: isoDateTime().optional(),
});

/**
 * The text of a call or chat about an order. Unknown fields are kept. Transcripts are stored
 * and announced on `records.received` like every record, but they are not enriched (see
 * `ENRICHED_RECORD_TYPES`): the learning service reads them.
 */
export const TranscriptSchema = z
  .looseObject({
    order_number: z.string().min(1).max(100),
    channel: z.enum(TRANSCRIPT_CHANNELS),
    /** The whole transcript, as one text. */
    text: z.string().min(1).max(50_000),
    /** The same conversation turn by turn, when the source has it. */
    turns: z.array(TranscriptTurnSchema).max(2_000).optional(),
    /** A BCP 47 language tag such as `en` or `pt-BR`. */
    language: z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag such as en-GB')
      .optional(),
    customer_id: z.string().min(1).max(100).optional(),
    started_at: isoDateTime().optional(),
    ended_at: isoDateTime().optional(),
  })
  .superRefine((transcript, ctx) => {
    const { started_at: started, ended_at: ended } = transcript;
    if (started === undefined || ended === undefined) return;
    const [from, to] = [Date.parse(started), Date.parse(ended)];
    if (Number.isFinite(from) && Number.isFinite(to) && to < from)
      ctx.addIssue({
        code: 'custom',
        path: ['ended_at'],
        message: 'must not be before started_at',
        input: ended,
      });
  });

export type Transcript = z.infer<typeof TranscriptSchema>;
