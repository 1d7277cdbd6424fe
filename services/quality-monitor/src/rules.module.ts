import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { databaseConfigFromEnv, type DatabaseConfig } from '@refinery/persistence';
import { CleanseController } from './cleanse/cleanse.controller';
import { CleanseRepository } from './cleanse/cleanse.repository';
import { CleanseUseCase } from './cleanse/cleanse.use-case';
import { SCHEMA } from './data-source';
import { ListViolationsUseCase } from './payload-rules/list-violations.use-case';
import { StreamRulesUseCase } from './payload-rules/stream-rules.use-case';
import { ViolationsController } from './payload-rules/violations.controller';
import { ViolationsRepository } from './payload-rules/violations.repository';
import { READONLY_DATABASE, ReadOnlyDatabase } from './read-only/read-only-database';
import { RULES_SETTINGS, type RulesConfig } from './rules-config';
import { ManageRulesUseCase } from './rules/manage-rules.use-case';
import { RuleChecks } from './rules/rule-checks';
import { RulesController } from './rules/rules.controller';
import { RulesRepository } from './rules/rules.repository';
import { GetRunsUseCase } from './runs/get-runs.use-case';
import { RunRulesUseCase } from './runs/run-rules.use-case';
import { registerRuleMetrics } from './runs/run-metrics';
import { RulesSchedule } from './runs/run-schedule';
import { RunsController } from './runs/runs.controller';
import { RunsRepository } from './runs/runs.repository';
import { TableProfileUseCase } from './tables/table-profile.use-case';
import { TablesController } from './tables/tables.controller';

/**
 * Validation rules (rules/), their runs on a schedule and on demand (runs/), ad hoc looks at
 * tables (tables/), cleansing (cleanse/), and rules on record payloads as they stream by
 * (payload-rules/); all read other services' schemas through read-only/.
 */
@Module({})
export class RulesModule implements OnModuleInit {
  constructor(private readonly runs: RunsRepository) {}

  static forRoot(config: RulesConfig): DynamicModule {
    return {
      module: RulesModule,
      controllers: [
        RulesController,
        RunsController,
        ViolationsController,
        TablesController,
        CleanseController,
      ],
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
        CleanseRepository,
        RuleChecks,
        ManageRulesUseCase,
        RunRulesUseCase,
        GetRunsUseCase,
        ListViolationsUseCase,
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
