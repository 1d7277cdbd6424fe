import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** `"1m,5m,15m,1h,4h"` → milliseconds; throws naming the part it cannot read. */
export function parseDurations(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.map((part) => {
    if (part === '0') return 0;
    const match = DURATION.exec(part);
    if (!match) throw new Error(`"${part}" is not a duration like 500ms, 30s, 5m, 1h, 1d or 0`);
    return Math.round(Number(match[1]) * UNITS[match[2]]);
  });
}

/** A list of durations from the environment, such as a retry schedule: `"1m,5m,1h"`. */
export const durationsVar = z.string().transform((text, ctx) => {
  try {
    return parseDurations(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** One duration from the environment, in milliseconds: `"30s"`. */
export const durationVar = durationsVar
  .refine((ms) => ms.length === 1, 'must be one duration')
  .transform((ms) => ms[0]);
