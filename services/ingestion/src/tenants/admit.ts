import { problemFor, ProblemException, type TenantRef } from '@refinery/runtime';
import type { RateLimiter } from './rate-limiter';

/** Takes `cost` events from the tenant's rate, or throws 429 with the seconds to wait. */
export async function admit(
  limiter: RateLimiter,
  tenant: TenantRef,
  cost: number,
  defaultRatePerS: number,
): Promise<void> {
  const rate = tenant.rateLimitPerS ?? defaultRatePerS;
  const admitted = await limiter.take(tenant.id, cost, rate);
  if (admitted.ok) return;
  const detail = `tenant ${tenant.slug} is over its rate of ${rate} events/s; retry after the Retry-After seconds`;
  throw new ProblemException(problemFor(429, detail), admitted.retryAfterS);
}
