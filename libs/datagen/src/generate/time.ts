import type { TimeUnit } from '../schema/modifiers.schema';

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const YEAR = 365.2425 * DAY;

/** Fixed lengths, so rates and ages read the same on any calendar: a month is a twelfth of a
 * Gregorian year (30.436875 days). */
export const UNIT_MS: Record<TimeUnit, number> = {
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
  month: YEAR / 12,
  year: YEAR,
};

export const toMs = (iso: string): number => Date.parse(iso);
