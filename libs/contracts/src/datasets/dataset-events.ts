import { z } from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** A commit on a dataset: what learning's retraining decides on. */
export const DatasetCommittedSchema = z.object({
  dataset: z.string(),
  branch: z.string(),
  commit: hash,
  parents: z.array(hash),
  tree: hash,
  author: z.string(),
  message: z.string(),
  committed_at: z.iso.datetime({ offset: true }),
  added: z.number().int().min(0),
  removed: z.number().int().min(0),
  modified: z.number().int().min(0),
  example_count: z.number().int().min(0),
  /** Examples added or modified by this commit that came from people's corrections. */
  corrected: z.number().int().min(0),
});
