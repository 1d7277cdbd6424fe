import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateAnalyticsTables1768000000000 } from './migrations/1768000000000-create-analytics-tables';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';

export const SCHEMA = 'analytics';
export const entities = [];
export const migrations = [CreateAnalyticsTables1768000000000, RetentionIndexes1769100000000];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
