import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateAnalyticsTables1768000000000 } from './migrations/1768000000000-create-analytics-tables';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';
import { CohortsFromMonthSets1769400000000 } from './migrations/1769400000000-cohorts-from-month-sets';
import { PartitionsTakeDefaultRows1769400000001 } from './migrations/1769400000001-partitions-take-default-rows';

export const SCHEMA = 'analytics';
export const entities = [];
export const migrations = [
  CreateAnalyticsTables1768000000000,
  RetentionIndexes1769100000000,
  CohortsFromMonthSets1769400000000,
  PartitionsTakeDefaultRows1769400000001,
];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
