import { validate } from '@refinery/contracts';
import type { ZodType } from 'zod';

export type Decoded =
  | { ok: true; data: unknown }
  | { ok: false; reason: 'non_retryable' | 'schema_violation'; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_LISTED_ERRORS = 10;

/** JSON, then the schema when there is one. Neither failure can be fixed by retrying. */
export function decodePayload(
  bytes: Uint8Array,
  schema?: ZodType,
  as: 'json' | 'text' = 'json',
): Decoded {
  let data: unknown;
  try {
    const text = utf8.decode(bytes);
    if (as === 'text') return { ok: true, data: text };
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      reason: 'non_retryable',
      detail: `payload is not valid ${as === 'text' ? 'UTF-8' : 'JSON'}: ${reason}`,
    };
  }
  if (!schema) return { ok: true, data };
  const result = validate(schema, data);
  if (result.ok) return { ok: true, data: result.value };
  const listed = result.errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.path}: ${e.message}`);
  const more =
    result.errors.length > MAX_LISTED_ERRORS
      ? ` (and ${result.errors.length - MAX_LISTED_ERRORS} more)`
      : '';
  return {
    ok: false,
    reason: 'schema_violation',
    detail: `payload does not match the schema: ${listed.join('; ')}${more}`,
  };
}
