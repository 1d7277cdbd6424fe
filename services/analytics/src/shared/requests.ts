import { z } from 'zod';

export const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

/** `?days=1,7,30`: whole days from 0 to 3650. */
export const dayList = z
  .string()
  .regex(/^\d{1,4}(,\d{1,4})*$/, { message: 'a comma-separated list of days, e.g. 1,7,30' })
  .transform((s) => [...new Set(s.split(',').map(Number))].sort((a, b) => a - b));
