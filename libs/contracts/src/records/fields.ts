import { z } from 'zod';

/** An ISO 8601 date and time with its UTC offset; long enough for nanoseconds and an offset. */
export const isoDateTime = () => z.iso.datetime({ offset: true }).max(64);
