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
import { systemPrompt, userMessages, type AiTask, type TaskPrompts } from './prompts';
import {
  AnalysisResultSchema,
  ClassificationResultSchema,
  ResolutionResultSchema,
} from './result-schemas';

export interface OpenAiProviderSettings extends ChatCompletionsSettings {
  /** The prompt of each task this provider will be asked; stages hand over their own. */
  prompts?: TaskPrompts;
}

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
  private readonly prompts: TaskPrompts;

  constructor({ prompts = {}, ...settings }: OpenAiProviderSettings) {
    this.version = `openai:${settings.model}`;
    this.client = new ChatCompletionsClient(settings);
    this.prompts = prompts;
  }

  async analyze(record: RecordInput): Promise<AnalysisResult> {
    return this.ask('analysis', AnalysisResultSchema, {
      schema: SCHEMAS.analyze,
      system: this.system('analyze'),
      user: userMessages.analyze(record),
    });
  }

  async classify(record: RecordInput, analysis: AnalysisResult): Promise<ClassificationResult> {
    return this.ask('classification', ClassificationResultSchema, {
      schema: SCHEMAS.classify,
      system: this.system('classify'),
      user: userMessages.classify(record, analysis),
    });
  }

  async resolve(
    record: RecordInput,
    classification: ClassificationResult,
  ): Promise<ResolutionResult> {
    return this.ask('resolution', ResolutionResultSchema, {
      schema: SCHEMAS.resolve,
      system: this.system('resolve'),
      user: userMessages.resolve(record, classification),
    });
  }

  private system(task: AiTask): string {
    const prompt = this.prompts[task];
    // A wiring mistake, not a model failure: the stage asking did not hand its prompt over.
    if (prompt === undefined) throw new Error(`openai provider: no prompt was given for ${task}`);
    return systemPrompt(prompt);
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
