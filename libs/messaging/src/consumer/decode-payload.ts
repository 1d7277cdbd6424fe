import { findHostileInput, MESSAGE_LIMITS, validate, type FieldError } from '@refinery/contracts';
import type { ZodType } from 'zod';

export type Decoded =
  | { ok: true; data: unknown }
  | { ok: false; reason: 'non_retryable' | 'schema_violation'; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_LISTED_ERRORS = 10;

const listed = (errors: readonly FieldError[]) => {
  const shown = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.path}: ${e.message}`);
  const more =
    errors.length > MAX_LISTED_ERRORS ? ` (and ${errors.length - MAX_LISTED_ERRORS} more)` : '';
  return `${shown.join('; ')}${more}`;
};

/**
 * JSON, then the schema when there is one; no failure can be fixed by retrying. Hostile JSON
 * (NUL characters, nesting past MESSAGE_LIMITS, see `findHostileInput`) never reaches a handler.
 * `text` and `bytes` hand the body over for the handler to judge.
 */
export function decodePayload(
  bytes: Uint8Array,
  schema?: ZodType,
  as: 'json' | 'text' | 'bytes' = 'json',
): Decoded {
  if (as === 'bytes') return { ok: true, data: bytes };
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
  if (!schema) {
    const hostile = findHostileInput(data, '', MESSAGE_LIMITS);
    if (hostile.length === 0) return { ok: true, data };
    return { ok: false, reason: 'non_retryable', detail: `payload refused: ${listed(hostile)}` };
  }
  const result = validate(schema, data, '', MESSAGE_LIMITS);
  if (result.ok) return { ok: true, data: result.value };
  return {
    ok: false,
    reason: 'schema_violation',
    detail: `payload does not match the schema: ${listed(result.errors)}`,
  };
}
