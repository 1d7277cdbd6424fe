export * from './eventually';
export * from './stream-counts';
export * from './unique-name';
