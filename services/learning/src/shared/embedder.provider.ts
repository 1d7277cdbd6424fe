import type { Provider } from '@nestjs/common';
import { createEmbedder } from '@refinery/ai';
import type { LearningConfig } from '../config';
import { EMBEDDER } from './embedder';

/** The embedder the configuration names: local (no network) by default, or OpenAI-compatible. */
export const embedderProvider = (config: LearningConfig): Provider => ({
  provide: EMBEDDER,
  useFactory: () => createEmbedder(config),
});
