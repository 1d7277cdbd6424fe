import { z } from 'zod';
import { NewExampleSchema } from '../examples/example';

export const NAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
  message:
    'letters, digits, dot, dash and underscore, starting with a letter or digit, at most 128',
});
/** One line: the commit layout separates its fields by newlines. */
const oneLine = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\n\r]*$/, { message: 'must be one line' });

export const CreateDatasetSchema = z.strictObject({
  name: NAME,
  description: z.string().max(2000).optional(),
});

export const AddExamplesSchema = z.strictObject({
  examples: z.array(NewExampleSchema).min(1).max(1000),
  branch: NAME.default('main'),
});

export const PatchExampleSchema = NewExampleSchema.omit({ id: true })
  .partial()
  .extend({ branch: NAME.default('main') })
  .refine((b) => Object.keys(b).some((k) => k !== 'branch'), {
    message: 'give at least one of type, input, output, labels, source_decision_id',
  });

export const CommitSchema = z.strictObject({
  message: z.string().trim().min(1).max(10_000),
  author: oneLine.optional(),
  branch: NAME.default('main'),
});

export const RefSchema = z.strictObject({ ref: z.string().min(1).max(255) });
export const TagSchema = z.strictObject({ name: NAME, ref: z.string().min(1).max(255) });
export const BranchSchema = z.strictObject({
  name: NAME,
  from: z.string().min(1).max(255).default('main'),
});
export const MergeSchema = z.strictObject({
  from: z.string().min(1).max(255),
  into: NAME.default('main'),
  /** false: always a merge commit, never only moving the branch. */
  fast_forward: z.boolean().default(true),
  author: oneLine.optional(),
  message: z.string().trim().min(1).max(10_000).optional(),
});
export const RollbackSchema = z.strictObject({
  to: z.string().min(1).max(255),
  branch: NAME.default('main'),
  author: oneLine.optional(),
  message: z.string().trim().min(1).max(10_000).optional(),
});
export const BranchOnlySchema = z.strictObject({ branch: NAME.default('main') });
