export * from './provider';
export * from './create-ai-provider';
export * from './faults';
export * from './openai';
export * from './rules';
export * from './local';
export * from './seed';
export * from './embeddings';
