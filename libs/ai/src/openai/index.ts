export { OpenAiProvider, type OpenAiProviderSettings } from './openai-provider';
export {
  AnalysisResultSchema,
  ClassificationResultSchema,
  ResolutionResultSchema,
} from './result-schemas';
export type { AiTask, TaskPrompts } from './prompts';
