import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateLearningTables1766000000000 } from './migrations/1766000000000-create-learning-tables';
import { ModelRegistry1766000000001 } from './migrations/1766000000001-model-registry';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';
import { NoVectorsOfRejected1769300000000 } from './migrations/1769300000000-no-vectors-of-rejected';

export const SCHEMA = 'learning';
export const entities = [];
export const migrations = [
  CreateLearningTables1766000000000,
  ModelRegistry1766000000001,
  RetentionIndexes1769100000000,
  NoVectorsOfRejected1769300000000,
];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
