import { FieldError, IncomingEvent, IncomingEventSchema, validate } from '@refinery/contracts';

export type Checked =
  | { index: number; ok: true; event: IncomingEvent }
  | { index: number; ok: false; errors: FieldError[] };

/** Validates each event on its own, naming bad fields by their path in the request. */
export function validateEvents(events: unknown[], pathOf: (index: number) => string): Checked[] {
  return events.map((raw, index) => {
    const result = validate(IncomingEventSchema, raw, pathOf(index));
    return result.ok
      ? { index, ok: true, event: result.value }
      : { index, ok: false, errors: result.errors };
  });
}
