export {
  DEFAULT_SEED_SET,
  generateSeedSet,
  type SeedExample,
  type SeedSetOptions,
} from './seed-set';
export { generateDriftedExceptions, type DriftOptions } from './drift';
