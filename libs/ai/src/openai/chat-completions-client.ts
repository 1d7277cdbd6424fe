import { z } from 'zod';
import { AiProviderError } from '../provider';
import { describeFailure, excerpt, parseJson } from './http-replies';

export interface ChatCompletionsSettings {
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Omitted for self-hosted OpenAI-compatible servers that need none. */
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export interface StructuredRequest {
  /** Names the schema for the server; also used in error messages. */
  name: string;
  schema: Record<string, unknown>;
  system: string;
  user: string;
}

const PROVIDER = 'openai';

// Only what we read; servers add fields freely.
const CompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

/** One structured-output call to `/chat/completions`; returns the answer parsed as JSON. */
export class ChatCompletionsClient {
  private readonly url: string;

  constructor(private readonly settings: ChatCompletionsSettings) {
    this.url = `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  async complete(request: StructuredRequest): Promise<unknown> {
    const { status, headers, body } = await this.post(request);
    const fail = (message: string) => new AiProviderError(`${request.name}: ${message}`, PROVIDER);

    if (status === 429) {
      const retryAfter = headers.get('retry-after');
      const wait = retryAfter ? `Retry-After: ${retryAfter}` : 'no Retry-After given';
      throw fail(`rate limited by ${this.url} (HTTP 429, ${wait}): ${excerpt(body)}`);
    }
    if (status < 200 || status >= 300) {
      throw fail(`HTTP ${status} from ${this.url}: ${excerpt(body)}`);
    }

    const completion = CompletionSchema.safeParse(parseJson(body));
    if (!completion.success) {
      throw fail(`response is not a chat completion: ${excerpt(body)}`);
    }
    const [choice] = completion.data.choices;
    if (choice.message.refusal) throw fail(`model refused: ${excerpt(choice.message.refusal)}`);
    if (choice.finish_reason === 'length') throw fail('answer cut off at the token limit');
    const content = choice.message.content;
    if (!content) throw fail('answer has no content');

    const answer = parseJson(content);
    if (answer === undefined) throw fail(`answer is not JSON: ${excerpt(content)}`);
    return answer;
  }

  private async post(request: StructuredRequest) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    try {
      // One signal for connect, headers and body: a server that stalls mid-body still times out.
      const response = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(this.body(request)),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } catch (error) {
      throw new AiProviderError(`${request.name}: ${this.describe(error)}`, PROVIDER, {
        cause: error,
      });
    }
  }

  private body(request: StructuredRequest) {
    return {
      model: this.settings.model,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: request.name, strict: true, schema: request.schema },
      },
      temperature: 0,
    };
  }

  private describe(error: unknown): string {
    return describeFailure(error, this.url, this.settings.timeoutMs);
  }
}
