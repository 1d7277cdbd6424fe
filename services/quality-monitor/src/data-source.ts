import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateEnrichmentState1764000000000 } from './migrations/1764000000000-create-enrichment-state';

export const SCHEMA = 'quality';
export const entities = [];
export const migrations = [CreateEnrichmentState1764000000000];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
