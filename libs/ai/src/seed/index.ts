export {
  DEFAULT_SEED_SET,
  generateSeedSet,
  type SeedExample,
  type SeedSetOptions,
} from './seed-set';
