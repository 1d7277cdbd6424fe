import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequireScope, StaticPage } from './access';
import { AuthGuard } from './auth.guard';
import type { Authenticator } from './authenticator';
import { FailureThrottle } from './failure-throttle';

class Pages {
  @StaticPage()
  page(): void {}

  @RequireScope('review')
  api(): void {}
}

/** The guard as it meets a request for `handler`, with no key sent. */
function attempt(handler: keyof Pages, method: string, path: string): Promise<boolean> {
  const authenticator = { authenticate: async () => null } as unknown as Authenticator;
  const guard = new AuthGuard(new Reflector(), authenticator, new FailureThrottle(100, 60_000));
  const req = { method, path, headers: {}, ip: '127.0.0.9', socket: {} };
  const context = {
    getType: () => 'http',
    getHandler: () => Pages.prototype[handler],
    getClass: () => Pages,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return guard.canActivate(context);
}

const status = (work: Promise<boolean>) =>
  work.then(
    () => 200,
    (error: { getStatus(): number }) => error.getStatus(),
  );

describe('a static page', () => {
  it('answers a browser without a key', async () => {
    expect(await attempt('page', 'GET', '/console')).toBe(true);
    expect(await attempt('page', 'HEAD', '/console/console.css')).toBe(true);
  });

  it('opens no API route and no write, whatever it is put on', async () => {
    expect(await status(attempt('page', 'GET', '/api/review/queue'))).toBe(403);
    expect(await status(attempt('page', 'GET', '/v1/events'))).toBe(403);
    expect(await status(attempt('page', 'POST', '/console'))).toBe(403);
  });

  it('leaves the routes beside it behind the key', async () => {
    expect(await status(attempt('api', 'GET', '/console'))).toBe(401);
  });
});
