import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { RULES_SETTINGS, type RulesConfig } from './rules-config';
import { RunRulesUseCase } from './run-rules.use-case';
import { RunsRepository } from './runs.repository';

/**
 * Every QUALITY_RULES_INTERVAL, one replica runs every enabled table rule. The time of the last
 * run is kept in the database and looked at every minute, so restarts and deploys neither skip
 * runs nor bunch them up.
 */
@Injectable()
export class RulesSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RulesSchedule');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
    private readonly runs: RunsRepository,
    private readonly runRules: RunRulesUseCase,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.QUALITY_RULES_INTERVAL;
    if (every > 0) this.timer = setInterval(() => this.tick(every), Math.min(every, 60_000));
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(every: number): void {
    // A run longer than the interval is not overtaken by the next one.
    this.running ??= (async () => {
      try {
        if (!(await this.runs.claimScheduledRun(every))) return;
        const report = await this.runRules.execute('schedule');
        this.logger.log(
          `scheduled run ${report.id}: ${report.statistics.successful}/${report.statistics.evaluated} rules passed`,
        );
      } catch (error) {
        this.logger.error(`scheduled run failed: ${(error as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
  }
}
