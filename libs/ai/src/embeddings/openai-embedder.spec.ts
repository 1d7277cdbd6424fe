import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  embeddingsReply,
  errorReply,
  fakeEmbedding,
  FakeOpenAiServer,
  rateLimitedReply,
} from '@refinery/testing';
import { AiProviderError } from '../provider';
import { cosineSimilarity } from './embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAiEmbedder, type OpenAiEmbedderSettings, supportsDimensions } from './openai-embedder';

let server: FakeOpenAiServer;

beforeAll(async () => {
  server = await FakeOpenAiServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const embedderFor = (settings: Partial<OpenAiEmbedderSettings> = {}) =>
  new OpenAiEmbedder({
    baseUrl: server.baseUrl,
    apiKey: 'sk-test-1234',
    model: 'text-embedding-3-small',
    timeoutMs: 5_000,
    retryDelayMs: 1,
    ...settings,
  });

/** The error a call rejects with; fails the test when it does not reject. */
async function failure(call: Promise<unknown>): Promise<AiProviderError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiProviderError);
  return error as AiProviderError;
}

const unitLength = (vector: number[]) => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

describe('OpenAiEmbedder against an OpenAI-compatible server', () => {
  it('posts the texts with model, key and 768 dimensions, and returns their vectors', async () => {
    const embedder = embedderFor();

    const vectors = await embedder.embed(['parcel late', 'item broken']);

    expect(embedder.model).toBe('openai:text-embedding-3-small');
    expect(embedder.dimensions).toBe(768);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(768);
    expect(vectors[0][5]).toBeCloseTo(fakeEmbedding('parcel late')[5], 12);
    expect(vectors[1][5]).toBeCloseTo(fakeEmbedding('item broken')[5], 12);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/embeddings');
    expect(request.headers.authorization).toBe('Bearer sk-test-1234');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['parcel late', 'item broken'],
      dimensions: 768,
    });
  });

  it('sends no key when it has none, and no dimensions to models that reject them', async () => {
    const embedder = embedderFor({ apiKey: undefined, model: 'nomic-embed-text' });

    await embedder.embed(['parcel late']);

    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(server.lastBody).toEqual({ model: 'nomic-embed-text', input: ['parcel late'] });
  });

  it('puts the vectors in the order of the texts, whatever order the server lists', async () => {
    const vectors = [fakeEmbedding('one'), fakeEmbedding('two'), fakeEmbedding('three')];
    server.replyToEmbeddings(embeddingsReply(vectors, { reversed: true }));

    const embedded = await embedderFor().embed(['one', 'two', 'three']);

    expect(server.embeddingRequests).toHaveLength(1);
    embedded.forEach((vector, i) =>
      expect(cosineSimilarity(vector, vectors[i])).toBeCloseTo(1, 12),
    );
  });

  it('keeps the similarities of the vectors it is given, scaled to unit length', async () => {
    const local = new LocalEmbedder();
    server.embedWith((text) => Array.from(local.vector(text), (x) => x * 3));

    const [a, b, c] = await embedderFor().embed([
      'Parcel arrived crushed, kettle broken',
      'parcel arrived crushed and the kettle is broken',
      'customer was charged twice',
    ]);

    expect(unitLength(a)).toBeCloseTo(1, 12);
    expect(cosineSimilarity(a, b)).toBeGreaterThan(0.85);
    expect(cosineSimilarity(a, c)).toBeLessThan(0.3);
  });

  it('sends long lists in batches and joins the answers in order', async () => {
    const texts = Array.from({ length: 7 }, (_, i) => `note ${i}`);

    const vectors = await embedderFor({ batchSize: 3 }).embed(texts);

    expect(server.embeddingRequests.map((r) => (r.body as { input: string[] }).input)).toEqual([
      ['note 0', 'note 1', 'note 2'],
      ['note 3', 'note 4', 'note 5'],
      ['note 6'],
    ]);
    vectors.forEach((vector, i) =>
      expect(cosineSimilarity(vector, fakeEmbedding(texts[i]))).toBeCloseTo(1, 12),
    );
    expect(await embedderFor().embed([])).toEqual([]);
    expect(server.embeddingRequests).toHaveLength(3);
  });

  it('retries after a 429, waiting as Retry-After asks', async () => {
    server.replyToEmbeddings(rateLimitedReply('0.05'));

    const started = Date.now();
    const vectors = await embedderFor().embed(['parcel late']);

    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(vectors[0]).toHaveLength(768);
    expect(server.embeddingRequests).toHaveLength(2);
  });

  it('retries after 5xx answers', async () => {
    server
      .replyToEmbeddings(errorReply(500, 'The server had an error'))
      .replyToEmbeddings(errorReply(503, 'overloaded'));

    await expect(embedderFor().embed(['parcel late'])).resolves.toHaveLength(1);
    expect(server.embeddingRequests).toHaveLength(3);
  });

  it('gives up after the last retry, saying how often it tried and what it heard', async () => {
    for (let i = 0; i < 3; i++) server.replyToEmbeddings(rateLimitedReply('0'));

    const error = await failure(embedderFor({ maxRetries: 2 }).embed(['parcel late']));

    expect(error.provider).toBe('openai');
    expect(error.message).toBe(
      `embeddings with text-embedding-3-small: HTTP 429 from ${server.baseUrl}/embeddings ` +
        '(Retry-After: 0) (after 3 attempts): Rate limit reached for requests',
    );
    expect(server.embeddingRequests).toHaveLength(3);
  });

  it('fails at once on a wrong key, with the server message', async () => {
    server.requireApiKey('sk-right-key');

    const error = await failure(embedderFor({ apiKey: 'sk-wrong-5678' }).embed(['parcel late']));

    expect(error.message).toBe(
      `embeddings with text-embedding-3-small: HTTP 401 from ${server.baseUrl}/embeddings: ` +
        'Incorrect API key provided: sk-***5678. You can find your API key at ' +
        'https://platform.openai.com/account/api-keys.; check the API key (EMBEDDINGS_API_KEY)',
    );
    expect(server.embeddingRequests).toHaveLength(1);
  });

  it('fails naming the model when its vectors are not 768 long', async () => {
    server.embedWith((text) => fakeEmbedding(text, 1536));

    const ada = await failure(embedderFor({ model: 'text-embedding-ada-002' }).embed(['x']));
    expect(ada.message).toBe(
      'embeddings with text-embedding-ada-002: the model returns 1536-dimensional vectors, ' +
        '768 expected: choose a 768-dimensional model, or set ' +
        'EMBEDDINGS_REQUEST_DIMENSIONS=always if it accepts the dimensions parameter',
    );

    const large = await failure(embedderFor({ model: 'text-embedding-3-large' }).embed(['x']));
    expect(large.message).toContain('text-embedding-3-large: the model returns 1536-dimensional');
    expect(large.message).toContain('it ignored the dimensions parameter');
  });

  it('rejects answers that do not give exactly one vector per text', async () => {
    const one = fakeEmbedding('one');
    server
      .replyToEmbeddings(embeddingsReply([one]))
      .replyToEmbeddings({ status: 200, body: '{"data":"nope"}' })
      .replyToEmbeddings(embeddingsReply([one, one, one]))
      .replyToEmbeddings(embeddingsReply([one, new Array<number>(768).fill(0)]));
    const embedder = embedderFor();

    expect((await failure(embedder.embed(['one', 'two']))).message).toContain(
      'response has 1 vectors for 2 texts (none for text 1)',
    );
    expect((await failure(embedder.embed(['one', 'two']))).message).toContain(
      'response is not an embedding list: {"data":"nope"}',
    );
    expect((await failure(embedder.embed(['one', 'two']))).message).toContain(
      'response has an unknown index 2',
    );
    expect((await failure(embedder.embed(['one', 'two']))).message).toContain(
      'vector 1 is all zeros or not finite',
    );
  });

  it('refuses empty texts before asking, as the API would reject them', async () => {
    const error = await failure(embedderFor().embed(['parcel late', '  ']));

    expect(error.message).toBe(
      'embeddings with text-embedding-3-small: text 1 is empty; the API rejects empty input',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('times out a server that does not answer, without retrying', async () => {
    server.replyToEmbeddings({ ...embeddingsReply([fakeEmbedding('x')]), delayMs: 2_000 });

    const error = await failure(embedderFor({ timeoutMs: 100 }).embed(['x']));

    expect(error.message).toBe(
      'embeddings with text-embedding-3-small: ' +
        `no answer from ${server.baseUrl}/embeddings within 100 ms`,
    );
    expect(server.embeddingRequests).toHaveLength(1);
  });
});

describe('OpenAiEmbedder without a server', () => {
  let closed: Server;
  let url: string;

  beforeAll(async () => {
    // A port that was just free: nothing listens there any more.
    closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });

  it('retries a refused connection, then names the URL and the reason', async () => {
    const embedder = new OpenAiEmbedder({
      baseUrl: url,
      model: 'nomic-embed-text',
      timeoutMs: 1_000,
      maxRetries: 1,
      retryDelayMs: 1,
    });

    const error = await failure(embedder.embed(['x']));

    expect(error.message).toMatch(
      `embeddings with nomic-embed-text: request to ${url}/embeddings failed: fetch failed: `,
    );
    expect(error.message).toMatch(/ECONNREFUSED.* \(after 2 attempts\)$/);
  });
});

describe('supportsDimensions', () => {
  it('is true for the models that can shorten their vectors', () => {
    expect(supportsDimensions('text-embedding-3-small')).toBe(true);
    expect(supportsDimensions('openai/text-embedding-3-large')).toBe(true);
    expect(supportsDimensions('text-embedding-ada-002')).toBe(false);
    expect(supportsDimensions('nomic-embed-text')).toBe(false);
  });
});
