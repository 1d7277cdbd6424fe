import { z } from 'zod';

export interface FieldError {
  /** Where the bad value is, e.g. `events[3].data.items[0].quantity`; `(root)` for the whole value. */
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/** Validates and names every bad field by path; never throws on bad input. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
): Validated<z.infer<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      path: formatPath(issue.path, prefix),
      message: issue.message,
    })),
  };
}
