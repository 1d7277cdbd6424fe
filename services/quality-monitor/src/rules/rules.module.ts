import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { databaseConfigFromEnv, type DatabaseConfig } from '@refinery/persistence';
import { SCHEMA } from '../data-source';
import { CleanseUseCase } from './cleanse.use-case';
import { ManageRulesUseCase } from './manage-rules.use-case';
import { READONLY_DATABASE, ReadOnlyDatabase } from './read-only-database';
import { RuleChecks } from './rule-checks';
import { registerRuleMetrics } from './rule-metrics';
import { RULES_SETTINGS, type RulesConfig } from './rules-config';
import { RulesController } from './rules.controller';
import { RulesRepository } from './rules.repository';
import { RulesSchedule } from './rules-schedule';
import { RunRulesUseCase } from './run-rules.use-case';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { StreamRulesUseCase } from './stream-rules.use-case';
import { TableProfileUseCase } from './table-profile.use-case';
import { TablesController } from './tables.controller';
import { ViolationsRepository } from './violations.repository';

/** Validation rules: on tables on a schedule and on demand, on record payloads as they stream by. */
@Module({})
export class RulesModule implements OnModuleInit {
  constructor(private readonly runs: RunsRepository) {}

  static forRoot(config: RulesConfig): DynamicModule {
    return {
      module: RulesModule,
      controllers: [RulesController, RunsController, TablesController],
      providers: [
        { provide: RULES_SETTINGS, useValue: config },
        {
          provide: READONLY_DATABASE,
          // Same server and database as the service; the read-only role instead of its own.
          useFactory: (): DatabaseConfig =>
            databaseConfigFromEnv(SCHEMA, {
              ...process.env,
              DATABASE_USER: config.QUALITY_READONLY_USER,
              DATABASE_PASSWORD: config.QUALITY_READONLY_PASSWORD,
            }),
        },
        ReadOnlyDatabase,
        RulesRepository,
        RunsRepository,
        ViolationsRepository,
        RuleChecks,
        ManageRulesUseCase,
        RunRulesUseCase,
        StreamRulesUseCase,
        TableProfileUseCase,
        CleanseUseCase,
        RulesSchedule,
      ],
      // The projection's records.received consumer checks payloads as they stream by.
      exports: [StreamRulesUseCase],
    };
  }

  onModuleInit(): void {
    registerRuleMetrics(this.runs);
  }
}
