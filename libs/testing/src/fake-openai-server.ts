import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
}

/** What the server sends for one request. */
export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Wait this long before answering, e.g. past the client's timeout. */
  delayMs?: number;
}

/** The parts of a chat-completions request a responder looks at. */
export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string } };
}

/** A completion whose message content is `content` (serialised unless a string). */
export const completionReply = (content: unknown): ScriptedReply => ({
  status: 200,
  body: completion(typeof content === 'string' ? content : JSON.stringify(content)),
});

/** An error reply in the provider's format. */
export const errorReply = (status: number, message: string): ScriptedReply => ({
  status,
  body: errorBody(message, 'server_error'),
});

/** The parts of an embeddings request the server looks at. */
export interface EmbeddingsRequestBody {
  model: string;
  input: string | string[];
  dimensions?: number;
}

/** Makes the vector of one text for the embeddings endpoint. */
export type EmbeddingResponder = (text: string, body: EmbeddingsRequestBody) => number[];

/** The width of the fake's vectors when the request asks for none. */
export const FAKE_EMBEDDING_DIMENSIONS = 768;

/**
 * A unit vector of `dimensions` determined by `text` alone: the same text always gives the same
 * vector, two different texts nearly orthogonal ones (FNV-1a of the text seeds xorshift32).
 */
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  state = state >>> 0 || 1;
  const vector: number[] = [];
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const x = (state >>> 0) / 0x100000000 - 0.5;
    vector.push(x);
    norm += x * x;
  }
  return vector.map((x) => x / Math.sqrt(norm));
}

/**
 * A reply in the shape of `POST /v1/embeddings`: one item per vector with its `index`; listed
 * in reverse when `reversed`, which real servers may do and clients must read by index.
 */
export const embeddingsReply = (
  vectors: number[][],
  options: { model?: string; reversed?: boolean } = {},
): ScriptedReply => {
  const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding }));
  if (options.reversed) data.reverse();
  return {
    status: 200,
    body: JSON.stringify({
      object: 'list',
      data,
      model: options.model ?? 'fake-embedding-model',
      usage: { prompt_tokens: vectors.length, total_tokens: vectors.length },
    }),
  };
};

/** A 429 in the provider's format, with Retry-After when given. */
export const rateLimitedReply = (retryAfter?: string): ScriptedReply => ({
  status: 429,
  headers: retryAfter ? { 'retry-after': retryAfter } : undefined,
  body: errorBody('Rate limit reached for requests', 'requests'),
});

const completion = (content: string) =>
  JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });

const errorBody = (message: string, type: string, code: string | null = null) =>
  JSON.stringify({ error: { message, type, param: null, code } });

/**
 * A local server speaking the chat-completions protocol. Tests script the next replies and
 * read back what the client sent. An unscripted request gets a 500, so a test that forgot to
 * script one fails loudly.
 *
 * It also serves `POST /v1/embeddings`, with replies scripted apart from chat's
 * (`replyToEmbeddings`). Unscripted, it answers with a vector per input made by `embedWith`
 * (by default `fakeEmbedding(text, body.dimensions ?? 768)`), in the real response shape, and
 * with a 400 as the real API does for a request without a model or with an empty input.
 * `requireApiKey` makes both endpoints answer 401 to any other key, in OpenAI's words.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: ScriptedReply[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private responder?: (body: ChatRequestBody) => ScriptedReply;
  private readonly embeddingReplies: ScriptedReply[] = [];
  private embedder: EmbeddingResponder = defaultEmbedder;
  private apiKey?: string;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeOpenAiServer> {
    const server = createServer();
    const fake = new FakeOpenAiServer(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        fake.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: parse(text),
        });
        fake.route(req.method ?? '', req.url ?? '', req.headers, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  /** The last request's body, for asserting what the client sent. */
  get lastBody(): Record<string, unknown> {
    const last = this.requests.at(-1);
    if (!last) throw new Error('no request received');
    return last.body as Record<string, unknown>;
  }

  /**
   * Forgets the requests and the scripted replies; for embeddings also the API key required
   * and the vectors set by `embedWith` (chat's `respondWith` stays, as it always has).
   */
  reset(): void {
    this.requests.length = 0;
    this.replies.length = 0;
    this.embeddingReplies.length = 0;
    this.embedder = defaultEmbedder;
    this.apiKey = undefined;
  }

  /** The requests sent to the embeddings endpoint, oldest first. */
  get embeddingRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === '/v1/embeddings');
  }

  /** The next embeddings request gets `reply` (in turn, after those scripted before). */
  replyToEmbeddings(reply: ScriptedReply): this {
    this.embeddingReplies.push(reply);
    return this;
  }

  /** How unscripted embeddings requests get their vectors, e.g. from a real local model. */
  embedWith(embedder: EmbeddingResponder): this {
    this.embedder = embedder;
    return this;
  }

  /** Answers 401 to requests without `Authorization: Bearer <key>`; undefined stops checking. */
  requireApiKey(key: string | undefined): this {
    this.apiKey = key;
    return this;
  }

  /** Answers every request that finds no scripted reply waiting, e.g. by the schema it asks for. */
  respondWith(responder: (body: ChatRequestBody) => ScriptedReply): this {
    this.responder = responder;
    return this;
  }

  reply(reply: ScriptedReply): this {
    this.replies.push(reply);
    return this;
  }

  /** A normal completion whose message content is `content` (serialised unless a string). */
  replyWithContent(content: unknown, delayMs?: number): this {
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    return this.reply({ status: 200, body: completion(text), delayMs });
  }

  replyWithStatus(status: number, message: string, headers?: Record<string, string>): this {
    return this.reply({ status, headers, body: errorBody(message, 'server_error') });
  }

  replyRateLimited(retryAfter?: string): this {
    return this.reply(rateLimitedReply(retryAfter));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Clients keep connections alive; close them or `close()` waits for their idle timeout.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private route(method: string, path: string, headers: IncomingHttpHeaders, res: ServerResponse) {
    const chat = method === 'POST' && path === '/v1/chat/completions';
    const embeddings = method === 'POST' && path === '/v1/embeddings';
    if ((chat || embeddings) && this.apiKey !== undefined) {
      const given = /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1];
      if (given !== this.apiKey) return this.send(unauthorized(given), res);
    }
    if (embeddings) return this.send(this.embeddingsReply(), res);
    this.answer(chat, res);
  }

  private embeddingsReply(): ScriptedReply {
    const scripted = this.embeddingReplies.shift();
    if (scripted) return scripted;
    const body = this.requests.at(-1)?.body as Partial<EmbeddingsRequestBody> | undefined;
    const input = typeof body?.input === 'string' ? [body.input] : body?.input;
    const invalid = (message: string): ScriptedReply => ({
      status: 400,
      body: errorBody(message, 'invalid_request_error'),
    });
    if (!body || typeof body.model !== 'string' || body.model === '') {
      return invalid('you must provide a model parameter');
    }
    if (!Array.isArray(input) || input.length === 0 || input.some((t) => typeof t !== 'string')) {
      return invalid("'input' must be a string or a non-empty array of strings");
    }
    if (input.some((text) => text === '')) return invalid("'input' cannot contain empty strings");
    const { dimensions } = body;
    if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) {
      return invalid("'dimensions' must be a positive integer");
    }
    const request = body as EmbeddingsRequestBody;
    const vectors = input.map((text) => this.embedder(text, request));
    return embeddingsReply(vectors, { model: request.model });
  }

  private answer(known: boolean, res: ServerResponse): void {
    const body = this.requests.at(-1)?.body as ChatRequestBody;
    const reply: ScriptedReply = known
      ? (this.replies.shift() ??
        this.responder?.(body) ?? {
          status: 500,
          body: errorBody('no reply scripted for this request', 'test_error'),
        })
      : { status: 404, body: errorBody('unknown endpoint', 'invalid_request_error') };
    this.send(reply, res);
  }

  private send(reply: ScriptedReply, res: ServerResponse): void {
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    };
    if (!reply.delayMs) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, reply.delayMs);
    this.timers.add(timer);
  }
}

const defaultEmbedder: EmbeddingResponder = (text, body) =>
  fakeEmbedding(text, body.dimensions ?? FAKE_EMBEDDING_DIMENSIONS);

/** OpenAI's 401, which names the key it got by its ends only. */
function unauthorized(given: string | undefined): ScriptedReply {
  const message = given
    ? `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}. ` +
      'You can find your API key at https://platform.openai.com/account/api-keys.'
    : "You didn't provide an API key. You need to provide your API key in an Authorization " +
      'header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).';
  return {
    status: 401,
    body: errorBody(message, 'invalid_request_error', given ? 'invalid_api_key' : null),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
