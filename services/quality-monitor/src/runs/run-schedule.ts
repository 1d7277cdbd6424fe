import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Periodic } from '@refinery/runtime';
import { RULES_SETTINGS, type RulesConfig } from '../rules-config';
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
  private readonly schedule = new Periodic('scheduled run', () => this.tick(), this.logger);

  constructor(
    @Inject(RULES_SETTINGS) private readonly config: RulesConfig,
    private readonly runs: RunsRepository,
    private readonly runRules: RunRulesUseCase,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.QUALITY_RULES_INTERVAL;
    if (every > 0) this.schedule.start(Math.min(every, 60_000));
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.schedule.stop();
  }

  private async tick(): Promise<void> {
    if (!(await this.runs.claimScheduledRun(this.config.QUALITY_RULES_INTERVAL))) return;
    const report = await this.runRules.execute('schedule');
    this.logger.log(
      `scheduled run ${report.id}: ${report.statistics.successful}/${report.statistics.evaluated} rules passed`,
    );
  }
}
