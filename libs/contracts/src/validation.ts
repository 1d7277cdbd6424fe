import { z } from 'zod';
import { type FieldError, formatPath } from './field-path';
import { findHostileInput, INPUT_LIMITS, type InputLimits } from './hostile-input';

export { type FieldError, formatPath } from './field-path';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Validates and names every bad field by path; never throws on bad input. Hostile input (see
 * `findHostileInput`) is reported instead, without showing it to the schema.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
  limits: InputLimits = INPUT_LIMITS,
): Validated<z.infer<S>> {
  const hostile = findHostileInput(value, prefix, limits);
  if (hostile.length > 0) return { ok: false, errors: hostile };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    // An unknown field is named by its own path, one error each.
    errors: result.error.issues.flatMap((issue): FieldError[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: formatPath([...issue.path, key], prefix),
            message: 'is not a known field here',
          }))
        : [{ path: formatPath(issue.path, prefix), message: issue.message }],
    ),
  };
}
