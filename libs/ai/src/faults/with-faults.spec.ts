import { AiProviderError, type AiProvider, type RecordInput } from '../provider';
import { withFaults } from './with-faults';

const record: RecordInput = {
  recordId: 'r-1',
  tenant: 'acme',
  recordType: 'exception',
  payload: { order_number: 'A-1', description: 'late' },
};

const healthy: AiProvider = {
  name: 'stub',
  version: 'stub-1',
  deterministic: true,
  analyze: async () => ({ problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] }),
  classify: async () => ({ label: 'DELIVERY_DELAY', confidence: 0.9, explanation: [] }),
  resolve: async () => ({
    action: 'CONTACT_CARRIER',
    automatable: true,
    rationale: 'trace it',
    confidence: 0.8,
  }),
};

/** mulberry32: a small seeded generator, so a run fails the same calls every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Which of `n` analyze calls fail, as a string of 0/1. */
async function failurePattern(provider: AiProvider, n: number): Promise<string> {
  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, () => provider.analyze(record)),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      expect(outcome.reason).toBeInstanceOf(AiProviderError);
      expect((outcome.reason as AiProviderError).message).toBe('injected fault');
    }
  }
  return outcomes.map((o) => (o.status === 'rejected' ? '1' : '0')).join('');
}

const failures = (pattern: string) => [...pattern].filter((c) => c === '1').length;

describe('withFaults', () => {
  it('keeps the wrapped provider name and version', () => {
    const faulty = withFaults(healthy, { failureRate: 0.5, latencyMs: 0 });

    expect(faulty.name).toBe('stub');
    expect(faulty.version).toBe('stub-1');
  });

  it('fails about half the calls at a rate of 0.5, the same ones for the same seed', async () => {
    const options = { failureRate: 0.5, latencyMs: 0 };

    const first = await failurePattern(
      withFaults(healthy, { ...options, random: seeded(7) }),
      1000,
    );
    const again = await failurePattern(
      withFaults(healthy, { ...options, random: seeded(7) }),
      1000,
    );

    expect(failures(first)).toBeGreaterThan(450);
    expect(failures(first)).toBeLessThan(550);
    expect(again).toBe(first);
  });

  it('fails every stage, and passes answers through untouched otherwise', async () => {
    const draws = [0.1, 0.9, 0.1, 0.9, 0.1, 0.9];
    const faulty = withFaults(healthy, {
      failureRate: 0.5,
      latencyMs: 0,
      random: () => draws.shift() ?? 1,
    });
    const analysis = await healthy.analyze(record);
    const classification = await healthy.classify(record, analysis);

    await expect(faulty.analyze(record)).rejects.toThrow('injected fault');
    await expect(faulty.analyze(record)).resolves.toEqual(analysis);
    await expect(faulty.classify(record, analysis)).rejects.toThrow('injected fault');
    await expect(faulty.classify(record, analysis)).resolves.toEqual(classification);
    await expect(faulty.resolve(record, classification)).rejects.toThrow('injected fault');
    await expect(faulty.resolve(record, classification)).resolves.toEqual(
      await healthy.resolve(record, classification),
    );
  });

  it('never fails at rate 0 and always fails at rate 1', async () => {
    expect(
      failures(await failurePattern(withFaults(healthy, { failureRate: 0, latencyMs: 0 }), 200)),
    ).toBe(0);
    expect(
      failures(await failurePattern(withFaults(healthy, { failureRate: 1, latencyMs: 0 }), 200)),
    ).toBe(200);
  });

  it('rejects a rate outside [0, 1] and a negative latency', () => {
    expect(() => withFaults(healthy, { failureRate: 1.5, latencyMs: 0 })).toThrow(RangeError);
    expect(() => withFaults(healthy, { failureRate: 0, latencyMs: -1 })).toThrow(RangeError);
  });

  describe('latency', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('answers only after the configured delay', async () => {
      const slow = withFaults(healthy, { failureRate: 0, latencyMs: 250 });
      let answered = false;
      const call = slow.analyze(record).then(() => {
        answered = true;
      });

      await jest.advanceTimersByTimeAsync(249);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await call;
      expect(answered).toBe(true);
    });

    it('delays failures too', async () => {
      const slow = withFaults(healthy, { failureRate: 1, latencyMs: 250 });
      let settled = false;
      const call = slow.analyze(record).catch((e: unknown) => {
        settled = true;
        return e;
      });

      await jest.advanceTimersByTimeAsync(249);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(await call).toBeInstanceOf(AiProviderError);
    });
  });
});
