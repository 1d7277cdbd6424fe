import { formatPath, type FieldError } from '@refinery/contracts';
import { problemFor, ProblemException } from '@refinery/runtime';
import type { z } from 'zod';

export const badRequest = (errors: FieldError[]) =>
  new ProblemException(
    problemFor(400, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
  );

export const badField = (path: string, message: string) => badRequest([{ path, message }]);

export const notFound = (detail: string) => new ProblemException(problemFor(404, detail));

/** Validates a request part and names every bad field, including unknown ones. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key], prefix),
        message: 'is not a known field here',
      }));
    }
    return [{ path: formatPath(issue.path, prefix), message: issue.message }];
  });
  throw badRequest(errors);
}
