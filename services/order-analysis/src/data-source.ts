import { stageDataSource, stageMigrations } from '@refinery/enrichment';
import { orderAnalysis } from './order-analysis.stage';

/** The stage_records table every stage keeps; a migration of order-analysis's own would join it. */
export const migrations = [...stageMigrations];

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = () => stageDataSource(orderAnalysis, migrations);
