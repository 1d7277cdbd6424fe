import { databaseOutage } from '@refinery/persistence';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { Settlement } from './settlement';

/**
 * Asks one dependency whether it answers: undefined when it does (with an answer from `since`,
 * ms since the epoch, or later), otherwise what is wrong. Must not hang: give up within seconds.
 */
export type DependencyCheck = (since: number) => Promise<string | undefined>;

/** The first wait after an outage was found; each next one doubles, up to the cap. */
const FIRST_WAIT_MS = 250;
const MAX_WAIT_MS = 5_000;
/** How long a JetStream API request of the probe may take before JetStream counts as away. */
const JETSTREAM_PROBE_MS = 2_000;

/**
 * Tells an outage (a dependency the handler needs does not answer) from a failure of the work
 * itself, and waits one out. A handler that failed for a transient cause while its database or
 * NATS is away is run again once they answer: its messages keep their delivery count, so an
 * outage uses up no retries and dead-letters nothing.
 */
export class OutageWatch {
  constructor(
    private readonly checks: readonly DependencyCheck[],
    private readonly waits = { firstMs: FIRST_WAIT_MS, maxMs: MAX_WAIT_MS },
  ) {}

  /** What does not answer (asked at `since` or later), or undefined when everything does. */
  async find(since: number): Promise<string | undefined> {
    const problems = await Promise.all(
      this.checks.map((check) =>
        check(since).catch(
          (error: unknown) =>
            `a dependency check failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
    );
    return problems.find((problem) => problem !== undefined);
  }

  /**
   * Resolves true once every dependency answers again, asking after capped, growing waits;
   * false as soon as `signal` aborts (the consumer stops). `onStill` hears how it stands after
   * each check that still found a problem.
   */
  async waitOut(
    signal: AbortSignal,
    onStill: (problem: string) => void = () => undefined,
  ): Promise<boolean> {
    let waitMs = this.waits.firstMs;
    while (!signal.aborted) {
      await sleep(waitMs, signal);
      if (signal.aborted) return false;
      const problem = await this.find(Date.now());
      if (problem === undefined) return true;
      onStill(problem);
      waitMs = Math.min(waitMs * 2, this.waits.maxMs);
    }
    return false;
  }
}

/** The process's databases, as PersistenceModule registers them (none: nothing to wait for). */
export const databaseCheck: DependencyCheck = (since) => databaseOutage(since);

/**
 * NATS, as a consumer needs it: connected, and JetStream answering for the consumer's own
 * durable (a server without JetStream quorum takes no acks and stores no publishes).
 */
export function jetStreamCheck(
  settlement: Settlement,
  jsm: () => Promise<JetStreamManager>,
  stream: string,
  durable: string,
): DependencyCheck {
  return async () => {
    const problem = settlement.problem();
    if (problem !== undefined) return problem;
    try {
      await withTimeout(
        jsm().then((m) => m.consumers.info(stream, durable)),
        JETSTREAM_PROBE_MS,
        `JetStream did not answer within ${JETSTREAM_PROBE_MS} ms`,
      );
      return undefined;
    } catch (error) {
      // It answered, if only to say the durable is gone: no outage to wait out.
      if (error instanceof JetStreamApiError && ANSWERED.has(error.code)) return undefined;
      return `JetStream is unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

const ANSWERED = new Set<number>([
  JetStreamApiCodes.ConsumerNotFound,
  JetStreamApiCodes.StreamNotFound,
]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
