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
import { exclusively } from '@refinery/persistence';
import { Periodic } from '@refinery/runtime';
import { DataSource } from 'typeorm';

/**
 * The monitor's own rounds over every tenant it follows: alerts every QUALITY_ALERT_INTERVAL,
 * the sweep every QUALITY_SWEEP_INTERVAL (0 turns either off). Replicas share them: while one
 * runs a round, the others skip it, so no alert is announced twice.
 */
@Injectable()
export class Schedules implements OnModuleInit, OnModuleDestroy {
  private readonly rounds: [Periodic, number][];

  constructor(
    alerts: EvaluateAlertsUseCase,
    sweep: SweepUseCase,
    db: DataSource,
    @Inject(QUALITY_CONFIG) config: QualityConfig,
  ) {
    const round = (what: string, key: string, task: () => Promise<unknown>, log: string) =>
      new Periodic(what, exclusively(db, `quality-monitor:${key}`, task), new Logger(log));
    this.rounds = [
      [
        round('alert evaluation', 'alerts', () => alerts.all(), 'Alerter'),
        config.QUALITY_ALERT_INTERVAL,
      ],
      [round('sweep', 'sweep', () => sweep.all(), 'Reprocessor'), config.QUALITY_SWEEP_INTERVAL],
    ];
  }

  onModuleInit(): void {
    for (const [schedule, everyMs] of this.rounds) schedule.start(everyMs);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.rounds.map(([schedule]) => schedule.stop()));
  }
}
