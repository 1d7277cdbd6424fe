import { AiProviderError, type AiProvider } from '../provider';

export interface FaultOptions {
  /** Share of calls that fail, in [0, 1]. */
  failureRate: number;
  /** Added before every call, answered or failed. */
  latencyMs: number;
  /** A number in [0, 1); inject a seeded one for repeatable runs. */
  random?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Makes any provider slow and unreliable on purpose, to exercise retries and timeouts in the
 * pipeline. Name and version stay the wrapped provider's: results are still its results.
 */
export function withFaults(provider: AiProvider, options: FaultOptions): AiProvider {
  const { failureRate, latencyMs, random = Math.random } = options;
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(`failureRate must be between 0 and 1, got ${failureRate}`);
  }
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs))) {
    throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
  }

  async function faulty<T>(call: () => Promise<T>): Promise<T> {
    if (latencyMs > 0) await sleep(latencyMs);
    if (random() < failureRate) throw new AiProviderError('injected fault', provider.name);
    return call();
  }

  return {
    name: provider.name,
    version: provider.version,
    deterministic: provider.deterministic,
    // Parameter types come from AiProvider, the declared return type.
    analyze: (record) => faulty(() => provider.analyze(record)),
    classify: (record, analysis) => faulty(() => provider.classify(record, analysis)),
    resolve: (record, classification) => faulty(() => provider.resolve(record, classification)),
  };
}
