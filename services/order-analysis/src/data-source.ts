import { orderAnalysis, stageDataSource } from '@refinery/enrichment';

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export const createServiceDataSource = () => stageDataSource(orderAnalysis);
