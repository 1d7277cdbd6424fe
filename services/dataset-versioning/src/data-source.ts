import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateDatasetTables1767000000000 } from './migrations/1767000000000-create-dataset-tables';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';
import { PromotableDecisionsIndex1769200000000 } from './migrations/1769200000000-promotable-decisions-index';

export const SCHEMA = 'datasets';
export const entities = [];
export const migrations = [
  CreateDatasetTables1767000000000,
  RetentionIndexes1769100000000,
  PromotableDecisionsIndex1769200000000,
];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
