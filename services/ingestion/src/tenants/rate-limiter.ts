/**
 * A token bucket per tenant, counted in events: a batch of 500 costs 500. The bucket holds
 * two seconds' worth, and never less than one full batch, so a batch is always admissible.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly defaultRatePerS: number,
    private readonly maxCost: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens, or says how many seconds until they will be there. */
  take(
    key: string,
    cost: number,
    ratePerS = this.defaultRatePerS,
  ): { ok: true } | { ok: false; retryAfterS: number } {
    const capacity = Math.max(ratePerS * 2, this.maxCost);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * ratePerS);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterS: (cost - bucket.tokens) / ratePerS };
  }
}
