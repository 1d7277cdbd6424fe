import { FailureThrottle } from './failure-throttle';
import { LookupCache, TtlLru } from './ttl-lru';

describe('TtlLru', () => {
  it('forgets an entry when its time is up', () => {
    let now = 0;
    const cache = new TtlLru<string, number>(10, () => now);
    cache.set('a', 1, 1000);
    now = 999;
    expect(cache.get('a')).toBe(1);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new TtlLru<string, number>(2, () => 0);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.get('a');
    cache.set('c', 3, 1000);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });
});

describe('FailureThrottle', () => {
  it('refuses an address after the limit until its window ends, and no other address', () => {
    let now = 0;
    const throttle = new FailureThrottle(3, 60_000, 100, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterS('10.0.0.1')).toBe(0);
      throttle.fail('10.0.0.1');
    }
    now = 15_000;
    expect(throttle.retryAfterS('10.0.0.1')).toBe(45);
    expect(throttle.retryAfterS('10.0.0.2')).toBe(0);
    now = 60_000;
    expect(throttle.retryAfterS('10.0.0.1')).toBe(0);
  });

  it('stays bounded under a flood of addresses', () => {
    const throttle = new FailureThrottle(1, 60_000, 50, () => 0);
    for (let i = 0; i < 10_000; i++) throttle.fail(`addr-${i}`);
    expect(throttle.retryAfterS('addr-9999')).toBe(60);
    expect(throttle.retryAfterS('addr-0')).toBe(0);
  });
});

describe('LookupCache', () => {
  it('looks a key up once however many wait on it, and keeps the answer', async () => {
    const cache = new LookupCache<string>(10, { found: 60_000, missing: 60_000 });
    let loads = 0;
    const load = async () => {
      loads++;
      return 'acme';
    };
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([
      'acme',
      'acme',
    ]);
    expect(await cache.get('k', load)).toBe('acme');
    expect(loads).toBe(1);
  });

  it('keeps a miss for its own time, and forgets a failed lookup', async () => {
    const cache = new LookupCache<string>(10, { found: 60_000, missing: 0 });
    expect(await cache.get('k', async () => null)).toBeNull();
    expect(await cache.get('k', async () => 'found')).toBe('found');
    await expect(cache.get('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('x', async () => 'back')).toBe('back');
  });
});
