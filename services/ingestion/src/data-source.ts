import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { DataSource } from 'typeorm';
import { CreateIngestionTables1763800000000 } from './migrations/1763800000000-create-ingestion-tables';
import { MoveTenantsToAuth1765000000000 } from './migrations/1765000000000-move-tenants-to-auth';
import { SharedRateBuckets1767000000000 } from './migrations/1767000000000-shared-rate-buckets';
import { CreateDlqReplays1768000000000 } from './migrations/1768000000000-create-dlq-replays';
import { RetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';
import { RecordEntity } from './records/record.entity';
import { RejectionEntity } from './rejections/rejection.entity';

export const SCHEMA = 'ingestion';
export const entities = [RecordEntity, RejectionEntity];
export const migrations = [
  CreateIngestionTables1763800000000,
  MoveTenantsToAuth1765000000000,
  SharedRateBuckets1767000000000,
  CreateDlqReplays1768000000000,
  RetentionIndexes1769100000000,
];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = (): DataSource =>
  createDataSource({ schema: SCHEMA, entities, migrations, config: databaseConfigFromEnv(SCHEMA) });
