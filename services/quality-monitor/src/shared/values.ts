/** `value` to `places` decimals: figures answer to four by default. */
export const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

/** A timestamp as Postgres hands it back, as ISO-8601. */
export const iso = (value: Date | string) => new Date(value).toISOString();

/** A numeric Postgres hands back as text (avg, bigint), or null. */
export const num = (value: unknown) =>
  value === null || value === undefined ? null : Number(value);
