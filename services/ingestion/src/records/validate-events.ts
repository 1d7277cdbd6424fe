import { FieldError, IncomingEvent, IncomingEventSchema, validate } from '@refinery/contracts';

export type Checked =
  | { index: number; ok: true; event: IncomingEvent }
  | { index: number; ok: false; errors: FieldError[] };

/**
 * Validates one event (hostile input included, see `validate`). The event keeps the `data` it
 * was sent with, not the schema's copy of it: zod leaves `__proto__` keys out, and the record
 * is kept as it came. JSON.parse made every such key an own property: no prototype changes.
 */
export function validateEvent(raw: unknown, path: string): Validated {
  const result = validate(IncomingEventSchema, raw, path);
  if (!result.ok) return result;
  const { data } = raw as { data: IncomingEvent['data'] };
  return { ok: true, event: { ...result.value, data } as IncomingEvent };
}

type Validated = { ok: true; event: IncomingEvent } | { ok: false; errors: FieldError[] };

/** Validates each event on its own, naming bad fields by their path in the request. */
export function validateEvents(events: unknown[], pathOf: (index: number) => string): Checked[] {
  return events.map((raw, index) => ({ index, ...validateEvent(raw, pathOf(index)) }));
}
