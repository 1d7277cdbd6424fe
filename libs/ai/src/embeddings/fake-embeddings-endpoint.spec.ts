import {
  embeddingsReply,
  errorReply,
  fakeEmbedding,
  FakeOpenAiServer,
  rateLimitedReply,
} from '@refinery/testing';
import { cosineSimilarity } from './embedder';

// The embeddings endpoint of the shared fake server (libs/testing), tested here beside its
// client: libs/testing keeps no unit specs of its own.
let server: FakeOpenAiServer;

beforeAll(async () => {
  server = await FakeOpenAiServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

interface EmbeddingList {
  object: string;
  data: { object: string; index: number; embedding: number[] }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** The list a successful embeddings request answers. */
async function listFor(body: unknown): Promise<EmbeddingList> {
  const { status, body: answer } = await post('/embeddings', body);
  expect(status).toBe(200);
  return answer as unknown as EmbeddingList;
}

describe('FakeOpenAiServer POST /v1/embeddings', () => {
  it('answers in the shape of the real API, a vector per input in index order', async () => {
    const { status, body } = await post('/embeddings', { model: 'm-1', input: ['a', 'b'] });
    const list = body as unknown as EmbeddingList;

    expect(status).toBe(200);
    expect(list).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: fakeEmbedding('a') },
        { object: 'embedding', index: 1, embedding: fakeEmbedding('b') },
      ],
      model: 'm-1',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    expect(server.embeddingRequests).toHaveLength(1);
    expect(server.lastBody).toEqual({ model: 'm-1', input: ['a', 'b'] });
  });

  it('gives the same unit vector for the same text, unrelated ones for other texts', async () => {
    const first = await listFor({ model: 'm', input: 'parcel late' });
    const again = await listFor({ model: 'm', input: ['x', 'parcel late'] });

    const vector = first.data[0].embedding;
    expect(vector).toHaveLength(768);
    expect(cosineSimilarity(vector, vector)).toBeCloseTo(1, 12);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 12);
    expect(again.data[1].embedding).toEqual(vector);
    expect(Math.abs(cosineSimilarity(vector, again.data[0].embedding))).toBeLessThan(0.2);
    expect(fakeEmbedding('parcel late', 16)).toHaveLength(16);
  });

  it('honours the dimensions asked for, and vectors set with embedWith', async () => {
    const short = await listFor({ model: 'm', input: ['a'], dimensions: 256 });
    expect(short.data[0].embedding).toHaveLength(256);

    server.embedWith((text, body) => [text.length, body.model.length]);
    const custom = await listFor({ model: 'model', input: ['abc'] });
    expect(custom.data[0].embedding).toEqual([3, 5]);
  });

  it('plays scripted replies first, in turn, then answers again', async () => {
    server
      .replyToEmbeddings(rateLimitedReply('2'))
      .replyToEmbeddings(errorReply(500, 'boom'))
      .replyToEmbeddings(embeddingsReply([[1, 0]], { model: 'scripted' }));

    const limited = await post('/embeddings', { model: 'm', input: ['a'] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toEqual({
      error: {
        message: 'Rate limit reached for requests',
        type: 'requests',
        param: null,
        code: null,
      },
    });
    expect((await post('/embeddings', { model: 'm', input: ['a'] })).status).toBe(500);
    expect((await post('/embeddings', { model: 'm', input: ['a'] })).body).toMatchObject({
      model: 'scripted',
      data: [{ index: 0, embedding: [1, 0] }],
    });
    expect((await post('/embeddings', { model: 'm', input: ['a'] })).status).toBe(200);
  });

  it('keeps the scripts of chat and embeddings apart', async () => {
    server.replyWithStatus(503, 'chat is down');

    expect((await post('/embeddings', { model: 'm', input: ['a'] })).status).toBe(200);
    const chat = await post('/chat/completions', { model: 'm', messages: [] });
    expect(chat.status).toBe(503);
  });

  it('rejects what the real API rejects with a 400', async () => {
    for (const body of [
      { input: ['a'] },
      { model: 'm' },
      { model: 'm', input: [] },
      { model: 'm', input: ['a', ''] },
      { model: 'm', input: [1] },
      { model: 'm', input: ['a'], dimensions: 0 },
    ]) {
      const { status, body: answer } = await post('/embeddings', body);
      expect(status).toBe(400);
      expect(answer).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
  });

  it('answers 401 in OpenAI words to a missing or wrong key when one is required', async () => {
    server.requireApiKey('sk-right');

    const body = { model: 'm', input: ['a'] };
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    const missing = await post('/embeddings', body);
    const wrong = await post('/embeddings', body, bearer('sk-wrong-key'));
    const chat = await post('/chat/completions', { model: 'm', messages: [] }, bearer('sk-x'));
    const right = await post('/embeddings', body, bearer('sk-right'));

    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      error: { message: expect.stringContaining("You didn't provide an API key"), code: null },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: {
        message:
          'Incorrect API key provided: sk-***-key. ' +
          'You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(chat.status).toBe(401);
    expect(right.status).toBe(200);
  });

  it('forgets scripts, vectors and the key on reset', async () => {
    server
      .requireApiKey('sk-right')
      .embedWith(() => [1])
      .replyToEmbeddings(errorReply(500, 'boom'));

    server.reset();

    const list = await listFor({ model: 'm', input: ['a'] });
    expect(list.data[0].embedding).toEqual(fakeEmbedding('a'));
    expect(server.requests).toHaveLength(1);
  });
});
