import { z } from 'zod';
import { identifier, qualifiedTable } from '../read-only/sql-names';

/** `POST /api/quality/cleanse`. */
export const CleanseRequestSchema = z.strictObject({
  table: qualifiedTable,
  /** Names the rows in the report and in the updates; the primary key when left out. */
  id_column: identifier.optional(),
  /** The default: report what would change and change nothing. */
  dry_run: z.boolean().default(true),
  sample_size: z.number().int().min(0).max(100).default(10),
  actions: z
    .array(
      z.discriminatedUnion('action', [
        z.strictObject({ action: z.literal('trim'), column: identifier }),
        z.strictObject({ action: z.literal('standardize_email'), column: identifier }),
        z.strictObject({ action: z.literal('standardize_phone'), column: identifier }),
        z.strictObject({
          action: z.literal('standardize_date'),
          column: identifier,
          /** 05/03/2024 is 5 March when true (the default), 3 May when false. */
          day_first: z.boolean().default(true),
        }),
        z.strictObject({
          action: z.literal('impute'),
          column: identifier,
          strategy: z.enum(['median', 'mode']),
        }),
        // Keeps the row with the lowest id of each group; rows with a NULL key are not duplicates.
        z.strictObject({
          action: z.literal('deduplicate'),
          columns: z.array(identifier).min(1).max(20),
        }),
      ]),
    )
    .min(1)
    .max(20),
});

export type CleanseRequest = z.infer<typeof CleanseRequestSchema>;
export type CleanseAction = CleanseRequest['actions'][number];
export type ValueAction = Exclude<CleanseAction, { action: 'deduplicate' }>;
