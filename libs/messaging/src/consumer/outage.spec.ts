import { OutageWatch } from './outage';

const waits = { firstMs: 10, maxMs: 40 };

describe('OutageWatch', () => {
  it('names the first dependency that does not answer, or none', async () => {
    const up = () => Promise.resolve(undefined);
    const watch = new OutageWatch([up, () => Promise.resolve('NATS disconnected'), up], waits);
    expect(await watch.find(Date.now())).toBe('NATS disconnected');
    expect(await new OutageWatch([up, up], waits).find(Date.now())).toBeUndefined();
  });

  it('takes a check that throws for a dependency that does not answer', async () => {
    const watch = new OutageWatch([() => Promise.reject(new Error('boom'))], waits);
    expect(await watch.find(Date.now())).toBe('a dependency check failed: boom');
  });

  it('waits until every dependency answers, asking less often as the outage goes on', async () => {
    const asked: number[] = [];
    const still: string[] = [];
    const watch = new OutageWatch(
      [
        () => {
          asked.push(Date.now());
          return Promise.resolve(asked.length < 5 ? 'the database is unavailable' : undefined);
        },
      ],
      waits,
    );
    expect(await watch.waitOut(new AbortController().signal, (p) => still.push(p))).toBe(true);
    expect(asked).toHaveLength(5);
    expect(still).toEqual(Array(4).fill('the database is unavailable'));
    const gaps = asked.slice(1).map((at, i) => at - asked[i]);
    // 20, 40, 40, 40 ms: doubled, then capped.
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[3]).toBeGreaterThanOrEqual(35);
  });

  it('gives up at once when the consumer stops', async () => {
    const stopping = new AbortController();
    const watch = new OutageWatch([() => Promise.resolve('down')], {
      firstMs: 60_000,
      maxMs: 60_000,
    });
    const waiting = watch.waitOut(stopping.signal);
    stopping.abort();
    expect(await waiting).toBe(false);
  });
});
