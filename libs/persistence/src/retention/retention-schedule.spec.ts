import type { RetentionJob } from './retention-job';
import { MAX_RETENTION_INTERVAL, RetentionSchedule } from './retention-schedule';

/** A job whose runs take `ms`, counting them and whether one was asked to stop. */
function slowJob(ms: number) {
  const seen = { runs: 0, inFlight: 0, most: 0, stopped: false };
  const job = {
    run: async () => {
      seen.runs += 1;
      seen.inFlight += 1;
      seen.most = Math.max(seen.most, seen.inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      seen.inFlight -= 1;
      return [];
    },
    stop: () => {
      seen.stopped = true;
    },
  };
  return { job: job as unknown as RetentionJob, seen };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the retention schedule', () => {
  it('runs the job every interval, never two runs at once, and waits for the one in flight when stopped', async () => {
    const { job, seen } = slowJob(60);
    const schedule = new RetentionSchedule(job, 10);
    schedule.onApplicationBootstrap();
    // Ticks every 10 ms meet a run of 60 ms in flight and start none.
    for (const started = Date.now(); seen.runs < 3 && Date.now() - started < 10_000;)
      await sleep(10);
    await schedule.onModuleDestroy();
    expect(seen.runs).toBeGreaterThanOrEqual(3);
    expect(seen.most).toBe(1);
    expect(seen.stopped).toBe(true);
    expect(seen.inFlight).toBe(0);
    const runs = seen.runs;
    await sleep(50);
    expect(seen.runs).toBe(runs);
  });

  it('never runs the job at interval 0', async () => {
    const { job, seen } = slowJob(1);
    const schedule = new RetentionSchedule(job, 0);
    schedule.onApplicationBootstrap();
    await sleep(30);
    await schedule.onModuleDestroy();
    expect(seen.runs).toBe(0);
  });

  it('refuses an interval setInterval cannot keep', () => {
    expect(() => new RetentionSchedule(slowJob(1).job, MAX_RETENTION_INTERVAL + 1)).toThrow(
      'RETENTION_INTERVAL: must be from 0 to 7d',
    );
  });
});
