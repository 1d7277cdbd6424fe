export { bitsAt, type Random, streamOf, uniformAt } from './stream';
export { type Distribution, DistributionSchema, meanOf } from './distribution';
export { type Sampler, samplerOf } from './sampler';
export { pickerOf } from './picker';
