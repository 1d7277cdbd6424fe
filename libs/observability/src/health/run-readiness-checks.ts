import { ReadinessCheck } from './health-registry';

export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or what went wrong, by check name. */
  checks: Record<string, string>;
}

/** Runs every check at once; a check that does not answer within `timeoutMs` counts as failed. */
export async function runReadinessChecks(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (check) => [check.name, await outcome(check, timeoutMs)] as const),
  );
  return {
    ready: results.every(([, result]) => result === 'ok'),
    checks: Object.fromEntries(results),
  };
}

async function outcome(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error && error.message !== '' ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
