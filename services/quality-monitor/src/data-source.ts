import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateEnrichmentState1764000000000 } from './migrations/1764000000000-create-enrichment-state';
import { AddReprocessingAndAlerts1764000000001 } from './migrations/1764000000001-add-reprocessing-and-alerts';
import { CreateValidationRules1764100000000 } from './migrations/1764100000000-create-validation-rules';
import { KeepJsonAsSent1764200000000 } from './migrations/1764200000000-keep-json-as-sent';
import { FeedBySequence1767000000000 } from './migrations/1767000000000-feed-by-sequence';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';

export const SCHEMA = 'quality';
export const entities = [];
export const migrations = [
  CreateEnrichmentState1764000000000,
  AddReprocessingAndAlerts1764000000001,
  CreateValidationRules1764100000000,
  KeepJsonAsSent1764200000000,
  FeedBySequence1767000000000,
  RetentionIndexes1769100000000,
];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
