import { z } from 'zod';
import {
  AiProviderError,
  type AiProvider,
  type AnalysisResult,
  type ClassificationResult,
  type RecordInput,
  type ResolutionResult,
} from '../provider';
import { ChatCompletionsClient, type ChatCompletionsSettings } from './chat-completions-client';
import { SYSTEM_PROMPTS, userMessages } from './prompts';
import {
  AnalysisResultSchema,
  ClassificationResultSchema,
  ResolutionResultSchema,
} from './result-schemas';

export type OpenAiProviderSettings = ChatCompletionsSettings;

/** Structured outputs take a plain JSON schema; the `$schema` dialect marker is not part of it. */
function responseSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema);
  return rest;
}

const SCHEMAS = {
  analyze: responseSchema(AnalysisResultSchema),
  classify: responseSchema(ClassificationResultSchema),
  resolve: responseSchema(ResolutionResultSchema),
};

/** Any OpenAI-compatible chat-completions endpoint, asked for schema-constrained JSON. */
export class OpenAiProvider implements AiProvider {
  readonly name = 'openai';
  readonly deterministic = false;
  readonly version: string;
  private readonly client: ChatCompletionsClient;

  constructor(settings: OpenAiProviderSettings) {
    this.version = `openai:${settings.model}`;
    this.client = new ChatCompletionsClient(settings);
  }

  async analyze(record: RecordInput): Promise<AnalysisResult> {
    return this.ask('analysis', AnalysisResultSchema, {
      schema: SCHEMAS.analyze,
      system: SYSTEM_PROMPTS.analyze,
      user: userMessages.analyze(record),
    });
  }

  async classify(record: RecordInput, analysis: AnalysisResult): Promise<ClassificationResult> {
    return this.ask('classification', ClassificationResultSchema, {
      schema: SCHEMAS.classify,
      system: SYSTEM_PROMPTS.classify,
      user: userMessages.classify(record, analysis),
    });
  }

  async resolve(
    record: RecordInput,
    classification: ClassificationResult,
  ): Promise<ResolutionResult> {
    return this.ask('resolution', ResolutionResultSchema, {
      schema: SCHEMAS.resolve,
      system: SYSTEM_PROMPTS.resolve,
      user: userMessages.resolve(record, classification),
    });
  }

  private async ask<T>(
    name: string,
    schema: z.ZodType<T>,
    request: { schema: Record<string, unknown>; system: string; user: string },
  ): Promise<T> {
    const answer = await this.client.complete({ name, ...request });
    // Strict mode is not enforced by every compatible server, so the answer is checked here too.
    const result = schema.safeParse(answer);
    if (result.success) return result.data;
    const issues = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new AiProviderError(`${name}: answer does not match the schema: ${issues}`, this.name);
  }
}
