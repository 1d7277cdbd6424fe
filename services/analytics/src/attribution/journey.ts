/** One marketing contact: which channel reached the customer, and when (epoch ms). */
export interface Touch {
  channel: string;
  at: number;
}

export interface Journey {
  id: string;
  touches: Touch[];
  converted: boolean;
  conversion_at?: number;
  value?: number;
}

export const DAY_MS = 86_400_000;

/** Receives one journey's counted touches as touches[start, end), oldest first. */
export type WindowVisitor = (
  touches: readonly Touch[],
  start: number,
  end: number,
  journey: Journey,
) => void;

/**
 * Visits every journey with the touches that count: none after the conversion, none more
 * than `lookbackMs` before it (the bound itself counts). A converted journey without
 * conversion_at converts at its last touch. The window is found by index so the touches are
 * never copied, unless they arrive out of time order.
 */
export function forEachWindow(
  journeys: readonly Journey[],
  lookbackMs: number,
  visit: WindowVisitor,
): void {
  for (let j = 0; j < journeys.length; j++) {
    const journey = journeys[j];
    const touches = inTimeOrder(journey, j);
    let end = touches.length;
    if (end === 0) {
      visit(touches, 0, 0, journey);
      continue;
    }
    const last = touches[end - 1].at;
    const endsAt = journey.converted ? (journey.conversion_at ?? last) : last;
    while (end > 0 && touches[end - 1].at > endsAt) end--;
    let start = 0;
    while (start < end && touches[start].at < endsAt - lookbackMs) start++;
    visit(touches, start, end, journey);
  }
}

/** The journey's touches oldest first, checked; a sorted copy only when they are not. */
function inTimeOrder(journey: Journey, index: number): readonly Touch[] {
  const where = `journeys[${index}] (id ${JSON.stringify(journey.id)})`;
  const { touches } = journey;
  if (!Array.isArray(touches)) throw new TypeError(`${where}.touches must be an array`);
  if (journey.converted) {
    if (journey.conversion_at !== undefined && !Number.isFinite(journey.conversion_at)) {
      throw new RangeError(`${where}.conversion_at must be a finite epoch-ms number`);
    }
    if (journey.value !== undefined && !Number.isFinite(journey.value)) {
      throw new RangeError(`${where}.value must be a finite number`);
    }
  }
  let sorted = true;
  for (let t = 0; t < touches.length; t++) {
    const { at, channel } = touches[t];
    if (!Number.isFinite(at)) {
      throw new RangeError(`${where}.touches[${t}].at must be a finite epoch-ms number`);
    }
    if (typeof channel !== 'string' || channel === '') {
      throw new TypeError(`${where}.touches[${t}].channel must be a non-empty string`);
    }
    if (t > 0 && at < touches[t - 1].at) sorted = false;
  }
  // Array sort is stable: touches at the same instant keep the order they were given in.
  return sorted ? touches : [...touches].sort((a, b) => a.at - b.at);
}
