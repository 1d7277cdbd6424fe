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

const errorBody = (message: string, type: string) =>
  JSON.stringify({ error: { message, type, param: null, code: null } });

/**
 * A local server speaking the chat-completions protocol. Tests script the next replies and
 * read back what the client sent. An unscripted request gets a 500, so a test that forgot to
 * script one fails loudly.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: ScriptedReply[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private responder?: (body: ChatRequestBody) => ScriptedReply;

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
        fake.answer(req.method === 'POST' && req.url === '/v1/chat/completions', res);
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

  reset(): void {
    this.requests.length = 0;
    this.replies.length = 0;
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
    return this.reply({
      status: 429,
      headers: retryAfter ? { 'retry-after': retryAfter } : undefined,
      body: errorBody('Rate limit reached for requests', 'requests'),
    });
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

  private answer(known: boolean, res: ServerResponse): void {
    const body = this.requests.at(-1)?.body as ChatRequestBody;
    const reply: ScriptedReply = known
      ? (this.replies.shift() ??
        this.responder?.(body) ?? {
          status: 500,
          body: errorBody('no reply scripted for this request', 'test_error'),
        })
      : { status: 404, body: errorBody('unknown endpoint', 'invalid_request_error') };
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

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
