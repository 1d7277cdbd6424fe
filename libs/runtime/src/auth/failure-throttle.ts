import { TtlLru } from './ttl-lru';

/**
 * Slows down guessing: after `limit` failed authentications from one address within
 * `windowMs`, that address is refused until its window ends.
 */
export class FailureThrottle {
  private readonly windows: TtlLru<string, { failures: number; until: number }>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new TtlLru(capacity, now);
  }

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfterS(address: string): number {
    const window = this.windows.get(address);
    if (!window || window.failures < this.limit) return 0;
    return Math.max(1, Math.ceil((window.until - this.now()) / 1000));
  }

  fail(address: string): void {
    const now = this.now();
    const window = this.windows.get(address) ?? { failures: 0, until: now + this.windowMs };
    window.failures += 1;
    this.windows.set(address, window, window.until - now);
  }
}
