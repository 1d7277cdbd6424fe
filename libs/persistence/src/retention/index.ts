export { RetentionJob } from './retention-job';
export type { RetentionJobOptions, RetentionReport } from './retention-job';
export { assertRules, retentionDaysVar, retentionSettings } from './retention-rule';
export type { DeleteRule, PartitionRule, RetentionRule } from './retention-rule';
export { MAX_RETENTION_INTERVAL, RetentionSchedule, retentionJob } from './retention-schedule';
export type { RetentionConfig } from './retention-schedule';
export { createTimeIndexes, dropTimeIndexes } from './time-indexes';
export type { TimeIndex } from './time-indexes';
