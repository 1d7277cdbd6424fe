/** What a probe needs of a DataSource: TypeORM's `query`, and whether it is still open. */
export interface Queryable {
  readonly isInitialized: boolean;
  query(sql: string): Promise<unknown>;
}

export interface DatabaseProbeOptions {
  /** How long an answer may take before the database counts as unavailable. Default 2 s. */
  timeoutMs?: number;
  /**
   * A query still unanswered after this long is given up and the next call sends another
   * (a connect to an unreachable host can hang for minutes). Default 30 s.
   */
  abandonAfterMs?: number;
}

interface Probe {
  startedAt: number;
  /** Undefined when the database answered; else what went wrong. */
  answer: Promise<string | undefined>;
  done: boolean;
}

/**
 * Whether a DataSource's database answers right now: `SELECT 1` through its pool. Cheap to ask
 * often, and it cannot hang or pile up: one query at a time, whose answer serves every caller
 * that can take an answer that recent, and no caller waits longer than `timeoutMs`.
 */
export class DatabaseProbe {
  private readonly timeoutMs: number;
  private readonly abandonAfterMs: number;
  private latest?: Probe;

  constructor(
    readonly dataSource: Queryable,
    options: DatabaseProbeOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.abandonAfterMs = options.abandonAfterMs ?? 30_000;
  }

  /**
   * Undefined when the database answered a query sent at `since` (ms since the epoch) or later;
   * otherwise what keeps it from answering. A caller that saw a failure at some time passes that
   * time, so an answer from before it does not hide it.
   */
  async problem(since = Date.now()): Promise<string | undefined> {
    if (!this.dataSource.isInitialized) return 'the database connection is closed';
    const probe = this.current(since);
    if (probe.done) return probe.answer;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`the database did not answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([probe.answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when the database answers; rejects saying why not. For a readiness check. */
  async check(since?: number): Promise<void> {
    const problem = await this.problem(since);
    if (problem !== undefined) throw new Error(problem);
  }

  /** The latest probe if it started at `since` or later (or is still running and young), else a new one. */
  private current(since: number): Probe {
    const latest = this.latest;
    const now = Date.now();
    // Strictly later: one sent in the same millisecond may have been answered before `since`.
    if (latest && latest.startedAt > since) return latest;
    if (latest && !latest.done && now - latest.startedAt < this.abandonAfterMs) {
      // A query already on its way: its answer is the first one possible anyway.
      return latest;
    }
    const probe: Probe = { startedAt: now, answer: Promise.resolve(undefined), done: false };
    probe.answer = this.dataSource.query('SELECT 1').then(
      () => undefined,
      (error: unknown) =>
        `the database is unavailable: ${error instanceof Error ? error.message : String(error)}`,
    );
    void probe.answer.then(() => (probe.done = true));
    this.latest = probe;
    return probe;
  }
}

/** A probe of one database as the process-wide list below holds it. */
export interface DatabaseCheck {
  problem(since?: number): Promise<string | undefined>;
}

const checks = new Set<DatabaseCheck>();

/**
 * Adds a database the process cannot work without to what `databaseOutage` asks; returns the
 * function that takes it off again. PersistenceModule adds the service's own.
 */
export function registerDatabaseCheck(check: DatabaseCheck): () => void {
  checks.add(check);
  return () => {
    checks.delete(check);
  };
}

/**
 * What keeps a database of this process from answering (checked at `since` or later), or
 * undefined when every one answers, or when the process has none. The JetStream consumers ask
 * this after a handler failed for a transient cause: an outage is waited out, not retried.
 */
export async function databaseOutage(since = Date.now()): Promise<string | undefined> {
  const problems = await Promise.all([...checks].map((check) => check.problem(since)));
  return problems.find((problem) => problem !== undefined);
}
