import type { ColumnSpec } from './types';

/** Largest distance from the epoch that a JS Date (hence an ISO timestamp) can represent. */
const MAX_EPOCH_MS = 8.64e15;

export type Format = (value: unknown) => string;

export function valueError(column: string, expected: string, value: unknown): TypeError {
  return new TypeError(`column "${column}": expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `non-finite number ${value}`;
  if (['number', 'boolean', 'bigint'].includes(typeof value)) return `${typeof value} ${value}`;
  return Array.isArray(value) ? 'array' : typeof value;
}

export function checkWidth(row: unknown[], width: number): void {
  if (!Array.isArray(row) || row.length !== width) {
    const got = Array.isArray(row) ? `${row.length} values` : typeof row;
    throw new TypeError(`row must have ${width} values (one per column), got ${got}`);
  }
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw valueError(name, 'a string', value);
  return value;
}

export function checkInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value)) throw valueError(name, 'a safe integer', value);
  return value as number;
}

export function checkNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw valueError(name, 'a finite number', value);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw valueError(name, 'a boolean', value);
  return value;
}

export function checkTimestamp(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || Math.abs(value as number) > MAX_EPOCH_MS) {
    throw valueError(name, 'epoch milliseconds (an integer within the Date range)', value);
  }
  return value as number;
}

/** JSON text of a json value; also the check that it is one (no bigint, cycle or bare undefined). */
export function jsonText(name: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`column "${name}": value is not JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw valueError(name, 'a JSON value', value);
  return text;
}

/** How a format writes the text of a string, a timestamp's ISO form and a json value's JSON. */
export interface TextEscapes {
  string: (text: string) => string;
  timestamp: (iso: string) => string;
  json: (json: string) => string;
}

/** Text of a non-null value for JSONL and CSV, which agree on the rest. */
export function textFormat({ name, type }: ColumnSpec, escapes: TextEscapes): Format {
  switch (type) {
    case 'string':
      return (value) => escapes.string(checkString(name, value));
    case 'integer':
      return (value) => String(checkInteger(name, value));
    case 'number':
      return (value) => String(checkNumber(name, value));
    case 'boolean':
      return (value) => (checkBoolean(name, value) ? 'true' : 'false');
    case 'timestamp':
      return (value) => escapes.timestamp(isoTimestamp(checkTimestamp(name, value)));
    case 'json':
      return (value) => escapes.json(jsonText(name, value));
  }
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `2026-01-05T10:00:00.000Z`, as Date#toISOString gives, without a Date per value: that call was a
 * fifth of JSONL's time. The calendar date is computed with Howard Hinnant's days→civil algorithm.
 * Years outside 0000–9999 take toISOString's expanded form (`+010000-…`).
 */
export function isoTimestamp(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let z = days + 719_468; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  z -= era * 146_097;
  const yearOfEra = Math.floor(
    (z - Math.floor(z / 1460) + Math.floor(z / 36_524) - Math.floor(z / 146_096)) / 365,
  );
  const dayOfYear = z - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  let t = ms - days * DAY_MS;
  const hours = Math.floor(t / 3_600_000);
  t -= hours * 3_600_000;
  const minutes = Math.floor(t / 60_000);
  t -= minutes * 60_000;
  const seconds = Math.floor(t / 1000);
  const y = year >= 1000 ? String(year) : PAD2[Math.floor(year / 100)] + PAD2[year % 100];
  return `${y}-${PAD2[month]}-${PAD2[day]}T${PAD2[hours]}:${PAD2[minutes]}:${PAD2[seconds]}.${PAD3[t - seconds * 1000]}Z`;
}
