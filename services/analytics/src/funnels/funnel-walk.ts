/**
 * A funnel walked one user at a time, over that user's funnel events in time order: the entry
 * is the user's first step-0 event inside [from, to); each later step is reached by its first
 * event within the conversion window of the entry, after the previous step's (strict order) or
 * anywhere after the entry (any order). One pass, whatever the number of steps.
 */
export interface FunnelEvent {
  step: number;
  at: number;
  segment: string | null;
}

export interface StepTally {
  users: number;
  /** Seconds from entry of each user who reached the step. */
  seconds: number[];
}

export class FunnelWalk {
  readonly segments = new Map<string, StepTally[]>();

  constructor(
    private readonly steps: number,
    private readonly from: number,
    private readonly to: number,
    private readonly windowMs: number,
    private readonly strict: boolean,
  ) {}

  /** One user's funnel events, oldest first. */
  user(events: readonly FunnelEvent[]): void {
    const entry = events.find((e) => e.step === 0 && e.at >= this.from && e.at < this.to);
    if (!entry) return;
    const segment = entry.segment ?? 'all';
    let tally = this.segments.get(segment);
    if (!tally) {
      tally = Array.from({ length: this.steps }, () => ({ users: 0, seconds: [] }));
      this.segments.set(segment, tally);
    }
    tally[0].users++;
    tally[0].seconds.push(0);
    const deadline = entry.at + this.windowMs;
    let previous = entry.at;
    for (let step = 1; step < this.steps; step++) {
      const after = this.strict ? previous : entry.at;
      const hit = events.find((e) => e.step === step && e.at >= after && e.at <= deadline);
      if (!hit) return;
      tally[step].users++;
      tally[step].seconds.push((hit.at - entry.at) / 1000);
      previous = hit.at;
    }
  }
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
}
