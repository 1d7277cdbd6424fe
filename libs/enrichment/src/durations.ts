const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** `"1m,5m,15m,1h,4h"` → milliseconds; throws naming the part it cannot read. */
export function parseDurations(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.map((part) => {
    const match = DURATION.exec(part);
    if (!match) throw new Error(`"${part}" is not a duration like 500ms, 30s, 5m or 1h`);
    return Math.round(Number(match[1]) * UNITS[match[2]]);
  });
}
