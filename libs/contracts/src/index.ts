export * from './envelope';
export * from './enrichment/vocabulary';
export * from './events';
export * from './records/exception.schema';
export * from './records/order.schema';
export * from './records/record-types';
export * from './streams';
export * from './validation';
export { buildAsyncApi } from './asyncapi/build-asyncapi';
