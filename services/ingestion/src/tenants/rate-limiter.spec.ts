import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('admits a burst up to twice the rate, then says when to come back', () => {
    let now = 0;
    const limiter = new RateLimiter(100, 50, () => now);
    expect(limiter.take('t', 200)).toEqual({ ok: true });
    const refused = limiter.take('t', 50);
    expect(refused).toEqual({ ok: false, retryAfterS: 0.5 });
    now = 500;
    expect(limiter.take('t', 50)).toEqual({ ok: true });
  });

  it('keeps tenants apart and honours a per-tenant rate', () => {
    const limiter = new RateLimiter(1000, 10, () => 0);
    expect(limiter.take('slow', 25, 10).ok).toBe(false);
    expect(limiter.take('other', 25).ok).toBe(true);
  });

  it('always admits one full batch even when the rate is lower', () => {
    const limiter = new RateLimiter(10, 1000, () => 0);
    expect(limiter.take('t', 1000).ok).toBe(true);
  });
});
