export * from './eventually';
export * from './stream-counts';
export * from './stored-messages';
export * from './unique-name';
export * from './fake-openai-server';
