import { validate, type FieldError } from '@refinery/contracts';
import { problemFor, ProblemException } from './problem';
import type { z } from 'zod';

export const badRequest = (errors: FieldError[]) =>
  new ProblemException(
    problemFor(400, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
  );

export const badField = (path: string, message: string) => badRequest([{ path, message }]);

export const notFound = (detail: string) => new ProblemException(problemFor(404, detail));

/** Validates a request part (hostile input first) and names every bad field, unknown ones too. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
): z.infer<S> {
  const result = validate(schema, value, prefix);
  if (result.ok) return result.value;
  throw badRequest(result.errors);
}
