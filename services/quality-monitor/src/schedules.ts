import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { EvaluateAlertsUseCase } from './alerts/evaluate-alerts.use-case';
import { QUALITY_CONFIG, type QualityConfig } from './config';
import { SweepUseCase } from './reprocess/sweep.use-case';
import { Periodic } from '@refinery/runtime';

/**
 * The monitor's own rounds over every tenant it follows: alerts every QUALITY_ALERT_INTERVAL,
 * the sweep every QUALITY_SWEEP_INTERVAL (0 turns either off).
 */
@Injectable()
export class Schedules implements OnModuleInit, OnModuleDestroy {
  private readonly rounds: [Periodic, number][];

  constructor(
    alerts: EvaluateAlertsUseCase,
    sweep: SweepUseCase,
    @Inject(QUALITY_CONFIG) config: QualityConfig,
  ) {
    const round = (what: string, task: () => Promise<unknown>, log: string) =>
      new Periodic(what, task, new Logger(log));
    this.rounds = [
      [round('alert evaluation', () => alerts.all(), 'Alerter'), config.QUALITY_ALERT_INTERVAL],
      [round('sweep', () => sweep.all(), 'Reprocessor'), config.QUALITY_SWEEP_INTERVAL],
    ];
  }

  onModuleInit(): void {
    for (const [schedule, everyMs] of this.rounds) schedule.start(everyMs);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.rounds.map(([schedule]) => schedule.stop()));
  }
}
