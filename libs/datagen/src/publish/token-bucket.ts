import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces events to `rate` per second, with bursts of at most `burst`. A taker may drive the
 * bucket below zero and then waits out the debt: concurrent takers queue up in order, and
 * none waits for tokens another one has already reserved.
 */
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  async take(n: number): Promise<void> {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate) - n;
    this.at = now;
    if (this.tokens < 0) await sleep((-this.tokens / this.rate) * 1000);
  }
}
