export { adminConfigFromEnv, databaseConfigFromEnv } from './config/database-config';
export type { DatabaseConfig } from './config/database-config';
export { createDataSource, schemaOf } from './data-source/create-data-source';
export type {
  DataSourceSettings,
  EntityList,
  MigrationList,
} from './data-source/create-data-source';
export { runMigrations } from './data-source/run-migrations';
export type { MigrationLog } from './data-source/run-migrations';
export {
  causesOf,
  describeDatabaseError,
  isInputDatabaseError,
  isTransientDatabaseError,
} from './errors/database-errors';
export type {
  DatabaseErrorDescription,
  DatabaseErrorKind,
  ErrorFields,
} from './errors/database-errors';
export { DatabaseProbe, databaseOutage, registerDatabaseCheck } from './health/database-probe';
export type { DatabaseCheck, DatabaseProbeOptions, Queryable } from './health/database-probe';
export { exclusively } from './locks/exclusively';
export { PersistenceModule } from './persistence.module';
export type { PersistenceOptions } from './persistence.module';
export { provisionDatabase } from './provision/provision-database';
export type {
  ProvisionOptions,
  ProvisionResult,
  SchemaProvision,
} from './provision/provision-database';
export {
  assertIdentifier,
  READONLY_ROLE,
  readerRole,
  rolePasswordVariable,
  serviceRole,
} from './sql/identifiers';
export { vectorFromSql, vectorToSql, vectorTransformer } from './vector/vector-transformer';
export { findWorkspaceRoot, readServicesManifest } from './cli/services-manifest';
export type { ServicesManifest } from './cli/services-manifest';
export {
  assertRules,
  createTimeIndexes,
  dropTimeIndexes,
  MAX_RETENTION_INTERVAL,
  RetentionJob,
  RetentionSchedule,
  retentionDaysVar,
  retentionJob,
  retentionSettings,
} from './retention';
export type {
  DeleteRule,
  PartitionRule,
  RetentionConfig,
  RetentionJobOptions,
  RetentionReport,
  RetentionRule,
  TimeIndex,
} from './retention';
