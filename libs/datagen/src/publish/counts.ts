import { BEHAVIOR_KINDS, RECORD_TYPES } from '@refinery/contracts';
import type { PublishSummary, TypeCounts } from './publisher';

/**
 * The types the target takes: those of the contracts this code ships with. Asking the target
 * (its OpenAPI at /docs-json) would need a key with access to the docs and a round trip before
 * the first event, and only tells what this build already knows when both run the same version.
 * Records go to /v1/events over HTTP and to `ingest.<tenant>.<type>` over NATS.
 */
export const RECORD_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(RECORD_TYPES));
/** Behavioural events, sent as Segment calls to /v1/batch; NATS has no way in for them. */
export const BEHAVIOR_EVENT_TYPES: ReadonlySet<string> = new Set(BEHAVIOR_KINDS);

const zero = (): TypeCounts => ({ sent: 0, accepted: 0, rejected: 0, duplicates: 0, skipped: 0 });

/** Counts per event type as a publisher goes; `counts()` is what a progress bar shows. */
export class Tally {
  private readonly byType = new Map<string, TypeCounts>();
  private readonly started = Date.now();

  add(type: string, field: keyof TypeCounts, n = 1): void {
    const counts = this.byType.get(type) ?? zero();
    counts[field] += n;
    this.byType.set(type, counts);
  }

  counts(): TypeCounts {
    const total = zero();
    for (const counts of this.byType.values()) {
      for (const key of Object.keys(total) as (keyof TypeCounts)[]) total[key] += counts[key];
    }
    return total;
  }

  summary(target: string): PublishSummary {
    const byType = [...this.byType.entries()].sort(([a], [b]) => a.localeCompare(b));
    return {
      target,
      ...this.counts(),
      by_type: Object.fromEntries(byType.map(([type, counts]) => [type, { ...counts }])),
      seconds: Math.round(Date.now() - this.started) / 1000,
    };
  }
}
