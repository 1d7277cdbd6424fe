export * from './columns.schema';
export * from './load-schema';
export * from './modifiers.schema';
export * from './schema';
export * from './schema-error';
