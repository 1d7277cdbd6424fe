import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AiProviderError } from '../provider';
import { EMBEDDING_DIMENSIONS, type Embedder } from './embedder';
import { asError, describeFailure, excerpt, parseJson } from '../openai/http-replies';

export interface OpenAiEmbedderSettings {
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1`, as for chat. */
  baseUrl: string;
  /** Omitted for self-hosted OpenAI-compatible servers that need none. */
  apiKey?: string;
  model: string;
  /** Per attempt: connect, headers and body. */
  timeoutMs: number;
  /**
   * Whether to ask for `dimensions: 768`. Only models that can shorten their vectors accept it
   * (OpenAI's text-embedding-3-*); others reject the request. Default: only for those models.
   */
  requestDimensions?: boolean;
  /** Retries after a 429, a 5xx or a failed connection (not after a timeout). Default 3. */
  maxRetries?: number;
  /** The first retry waits about this long, each further one twice as long. Default 500 ms. */
  retryDelayMs?: number;
  /** The longest wait before a retry, whatever Retry-After asks. Default 20 s. */
  maxRetryDelayMs?: number;
  /** Texts per request; longer lists go in several requests. Default 256 (OpenAI allows 2048). */
  batchSize?: number;
}

const PROVIDER = 'openai';

/** Models known to accept the `dimensions` parameter. */
export const supportsDimensions = (model: string): boolean =>
  /^text-embedding-3-/.test(model.replace(/^.*\//, ''));

// Only what we read; servers add fields freely.
const EmbeddingListSchema = z.object({
  data: z.array(
    z.object({
      index: z.number().int().min(0),
      embedding: z.array(z.number()),
    }),
  ),
});

const ErrorBodySchema = z.object({ error: z.object({ message: z.string() }) });

/**
 * Embeddings from an OpenAI-compatible `POST {baseUrl}/embeddings`, in the conventions of the
 * chat client (`ChatCompletionsClient`): same base URL, Bearer key, `AiProviderError`s naming
 * the URL and an excerpt of what the server said. Unlike chat, which leaves retrying to the
 * stage's schedule, it retries 429, 5xx and failed connections itself a bounded number of
 * times (honouring Retry-After), because its caller (de-duplication) has no retry loop.
 *
 * Vectors come back in the order of the texts (by each item's `index`, whatever order the
 * server lists them in), scaled to unit length; a model whose vectors are not 768 long fails
 * with an error naming it.
 */
export class OpenAiEmbedder implements Embedder {
  readonly dimensions = EMBEDDING_DIMENSIONS;
  readonly model: string;
  private readonly url: string;
  private readonly requestDimensions: boolean;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly batchSize: number;

  constructor(private readonly settings: OpenAiEmbedderSettings) {
    this.url = `${settings.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.model = `openai:${settings.model}`;
    this.requestDimensions = settings.requestDimensions ?? supportsDimensions(settings.model);
    this.maxRetries = settings.maxRetries ?? 3;
    this.retryDelayMs = settings.retryDelayMs ?? 500;
    this.maxRetryDelayMs = settings.maxRetryDelayMs ?? 20_000;
    this.batchSize = settings.batchSize ?? 256;
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1)) {
      throw new RangeError(`batchSize must be an integer >= 1, got ${this.batchSize}`);
    }
  }

  async embed(texts: string[]): Promise<number[][]> {
    const empty = texts.findIndex((text) => text.trim() === '');
    if (empty >= 0) throw this.fail(`text ${empty} is empty; the API rejects empty input`);
    const vectors: number[][] = [];
    for (let from = 0; from < texts.length; from += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(from, from + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(texts: string[]): Promise<number[][]> {
    const body = JSON.stringify({
      model: this.settings.model,
      input: texts,
      ...(this.requestDimensions ? { dimensions: this.dimensions } : {}),
    });
    for (let attempt = 0; ; attempt++) {
      const response = await this.post(body, attempt);
      if (response === 'retry') {
        await sleep(this.delay(attempt, null));
        continue;
      }
      const { status, headers, text } = response;
      if (status >= 200 && status < 300) return this.read(text, texts.length);
      const retryable = status === 429 || status >= 500;
      if (retryable && attempt < this.maxRetries) {
        await sleep(this.delay(attempt, headers.get('retry-after')));
        continue;
      }
      const wait =
        status === 429 ? ` (Retry-After: ${headers.get('retry-after') ?? 'not given'})` : '';
      const hint =
        status === 401 || status === 403 ? '; check the API key (EMBEDDINGS_API_KEY)' : '';
      throw this.fail(
        `HTTP ${status} from ${this.url}${wait}${attempts(attempt)}: ${message(text)}${hint}`,
      );
    }
  }

  /** The answer, or 'retry' after a failed connection when attempts are left. */
  private async post(body: string, attempt: number) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    try {
      // One signal for connect, headers and body: a server that stalls mid-body still times out.
      const response = await fetch(this.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      // A timeout has used up the caller's patience already: no retry after it.
      const timedOut = asError(error)?.name === 'TimeoutError';
      if (!timedOut && attempt < this.maxRetries) return 'retry' as const;
      throw new AiProviderError(
        `embeddings with ${this.settings.model}: ${this.describe(error)}${attempts(attempt)}`,
        PROVIDER,
        { cause: error },
      );
    }
  }

  private read(text: string, count: number): number[][] {
    const parsed = EmbeddingListSchema.safeParse(parseJson(text));
    if (!parsed.success) throw this.fail(`response is not an embedding list: ${excerpt(text)}`);
    const vectors: (number[] | undefined)[] = new Array(count).fill(undefined);
    for (const { index, embedding } of parsed.data.data) {
      if (index >= count || vectors[index]) {
        const which = index >= count ? 'an unknown' : 'a repeated';
        throw this.fail(`response has ${which} index ${index}`);
      }
      if (embedding.length !== this.dimensions) {
        const fix = this.requestDimensions
          ? 'it ignored the dimensions parameter; choose a 768-dimensional model'
          : 'choose a 768-dimensional model, or set EMBEDDINGS_REQUEST_DIMENSIONS=always ' +
            'if it accepts the dimensions parameter';
        throw this.fail(
          `the model returns ${embedding.length}-dimensional vectors, ` +
            `${this.dimensions} expected: ${fix}`,
        );
      }
      const zero = () => this.fail(`vector ${index} is all zeros or not finite`);
      vectors[index] = unit(embedding, zero);
    }
    const missing = vectors.findIndex((vector) => vector === undefined);
    if (missing >= 0) {
      const got = parsed.data.data.length;
      throw this.fail(`response has ${got} vectors for ${count} texts (none for text ${missing})`);
    }
    return vectors as number[][];
  }

  /** Exponential backoff with jitter; Retry-After (seconds or a date) when given, capped. */
  private delay(attempt: number, retryAfter: string | null): number {
    const asked = retryAfter === null ? NaN : retryAfterMs(retryAfter);
    const backoff = this.retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    return Math.min(Number.isFinite(asked) ? asked : backoff, this.maxRetryDelayMs);
  }

  private fail(message: string): AiProviderError {
    return new AiProviderError(`embeddings with ${this.settings.model}: ${message}`, PROVIDER);
  }

  private describe(error: unknown): string {
    return describeFailure(error, this.url, this.settings.timeoutMs);
  }
}

const attempts = (attempt: number) => (attempt > 0 ? ` (after ${attempt + 1} attempts)` : '');

function retryAfterMs(value: string): number {
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? NaN : Math.max(0, date - Date.now());
}

function unit(vector: number[], fail: () => Error): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  if (!(norm > 0 && Number.isFinite(norm))) throw fail();
  const scale = 1 / Math.sqrt(norm);
  return vector.map((x) => x * scale);
}

/** The server's own error message when it sent one in OpenAI's format, else an excerpt. */
function message(text: string): string {
  const parsed = ErrorBodySchema.safeParse(parseJson(text));
  return parsed.success ? excerpt(parsed.data.error.message) : excerpt(text);
}
