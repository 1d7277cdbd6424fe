import { AiProviderError, type AnalysisResult, type ClassificationResult } from '../src/provider';
import { AiConfigSchema, createAiProvider } from '../src/create-ai-provider';
import { OpenAiProvider } from '../src/openai';
import { FakeOpenAiServer } from '@refinery/testing';

const record = {
  recordId: 'rec-1',
  tenant: 'acme',
  recordType: 'exception' as const,
  payload: { order_number: 'A-100', description: 'Parcel arrived crushed, vase broken' },
};
const analysis: AnalysisResult = { problems: [{ code: 'DAMAGE_REPORTED', confidence: 0.9 }] };
const classification: ClassificationResult = {
  label: 'DAMAGED_ITEM',
  confidence: 0.88,
  explanation: [{ feature: 'description_broken', weight: 0.7 }],
};

// The stages own the real prompts (services/<stage>/src/<stage>.prompt.ts).
const prompts = {
  analyze: 'list the problems.',
  classify: 'choose a label.',
  resolve: 'choose an action.',
};

let server: FakeOpenAiServer;
let provider: OpenAiProvider;

beforeAll(async () => {
  server = await FakeOpenAiServer.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  provider = new OpenAiProvider({
    baseUrl: server.baseUrl,
    apiKey: 'sk-test',
    model: 'gpt-test',
    timeoutMs: 5_000,
    prompts,
  });
});

type Message = { role: string; content: string };
const messages = () => server.lastBody.messages as Message[];

/** The error a call rejects with; fails the test when it does not reject. */
async function failure(call: Promise<unknown>): Promise<AiProviderError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AiProviderError);
  return error as AiProviderError;
}

describe('OpenAiProvider against a chat-completions server', () => {
  it('reports its model as its version', () => {
    expect(provider.name).toBe('openai');
    expect(provider.version).toBe('openai:gpt-test');
  });

  it('analyzes a record with a strict json_schema request', async () => {
    server.replyWithContent({
      problems: [
        { code: 'DAMAGE_REPORTED', confidence: 0.92 },
        { code: 'MISSING_ITEM', confidence: 0.2 },
      ],
    });

    const result = await provider.analyze(record);

    expect(result.problems).toEqual([
      { code: 'DAMAGE_REPORTED', confidence: 0.92 },
      { code: 'MISSING_ITEM', confidence: 0.2 },
    ]);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(server.lastBody).toMatchObject({
      model: 'gpt-test',
      temperature: 0,
      response_format: { type: 'json_schema', json_schema: { name: 'analysis', strict: true } },
    });
    const schema = JSON.stringify(server.lastBody.response_format);
    expect(schema).toContain('"DAMAGE_REPORTED"');
    expect(schema).toContain('"additionalProperties":false');
    expect(schema).not.toContain('$schema');
    const [system, user] = messages();
    expect(system).toMatchObject({ role: 'system' });
    expect(system.content).toContain('delivery exception');
    expect(system.content).toMatch(/\n\nTask: list the problems\.$/);
    expect(JSON.parse(user.content)).toEqual({
      record_type: 'exception',
      record: record.payload,
    });
  });

  it('classifies with the analysis in the user message', async () => {
    server.replyWithContent({
      label: 'DAMAGED_ITEM',
      confidence: 0.87,
      explanation: [
        { feature: 'description_crushed', weight: 0.6 },
        { feature: 'reported_by_carrier', weight: -0.1 },
      ],
    });

    const result = await provider.classify(record, analysis);

    expect(result).toEqual({
      label: 'DAMAGED_ITEM',
      confidence: 0.87,
      explanation: [
        { feature: 'description_crushed', weight: 0.6 },
        { feature: 'reported_by_carrier', weight: -0.1 },
      ],
    });
    expect(server.lastBody).toMatchObject({
      response_format: { json_schema: { name: 'classification', strict: true } },
    });
    expect(messages()[0].content).toMatch(/Task: choose a label\.$/);
    expect(JSON.parse(messages()[1].content)).toMatchObject({ analysis });
  });

  it('resolves with the classification in the user message', async () => {
    server.replyWithContent({
      action: 'RESHIP',
      automatable: true,
      rationale: 'Damaged in transit; send a replacement.',
      confidence: 0.8,
    });

    const result = await provider.resolve(record, classification);

    expect(result).toEqual({
      action: 'RESHIP',
      automatable: true,
      rationale: 'Damaged in transit; send a replacement.',
      confidence: 0.8,
    });
    expect(messages()[0].content).toMatch(/Task: choose an action\.$/);
    expect(JSON.parse(messages()[1].content)).toMatchObject({ classification });
  });

  it('sends no Authorization header when no key is configured', async () => {
    const keyless = new OpenAiProvider({
      baseUrl: server.baseUrl,
      model: 'llama',
      timeoutMs: 5_000,
      prompts,
    });
    server.replyWithContent({ problems: [{ code: 'NONE', confidence: 0.9 }] });

    await keyless.analyze(record);

    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('names the status and the body of an HTTP error', async () => {
    server.replyWithStatus(500, 'The server had an error while processing your request');

    const error = await failure(provider.analyze(record));

    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('The server had an error');
    expect(error.provider).toBe('openai');
  });

  it('reports a rate limit with its Retry-After', async () => {
    server.replyRateLimited('7');

    const error = await failure(provider.classify(record, analysis));

    expect(error.message).toMatch(/rate limited/);
    expect(error.message).toContain('Retry-After: 7');
  });

  it('reports a rate limit without Retry-After', async () => {
    server.replyRateLimited();

    const error = await failure(provider.analyze(record));

    expect(error.message).toContain('HTTP 429');
    expect(error.message).toContain('no Retry-After');
  });

  it('gives up when the server answers after the timeout', async () => {
    const impatient = new OpenAiProvider({
      baseUrl: server.baseUrl,
      model: 'gpt-test',
      timeoutMs: 100,
      prompts,
    });
    server.replyWithContent({ problems: [{ code: 'NONE', confidence: 0.9 }] }, 3_000);

    const error = await failure(impatient.analyze(record));

    expect(error.message).toContain('within 100 ms');
  });

  it('reports a server that cannot be reached', async () => {
    const gone = await FakeOpenAiServer.start();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const unreachable = new OpenAiProvider({
      baseUrl,
      model: 'gpt-test',
      timeoutMs: 5_000,
      prompts,
    });

    const error = await failure(unreachable.analyze(record));

    expect(error.message).toContain(`request to ${baseUrl}/chat/completions failed`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects content that is not JSON', async () => {
    server.replyWithContent('{"problems": [{"code": "NONE", ');

    const error = await failure(provider.analyze(record));

    expect(error.message).toContain('answer is not JSON');
  });

  it('rejects a response that is not a chat completion', async () => {
    server.reply({ status: 200, body: '<html>proxy login</html>' });

    const error = await failure(provider.analyze(record));

    expect(error.message).toContain('not a chat completion');
  });

  it('rejects a label outside the vocabulary and a confidence above 1', async () => {
    server.replyWithContent({
      label: 'LOST_IN_SPACE',
      confidence: 1.7,
      explanation: [{ feature: 'x', weight: 1 }],
    });

    const error = await failure(provider.classify(record, analysis));

    expect(error.message).toContain('does not match the schema');
    expect(error.message).toContain('label');
    expect(error.message).toContain('confidence');
  });

  it('rejects NONE reported together with a problem', async () => {
    server.replyWithContent({
      problems: [
        { code: 'NONE', confidence: 0.5 },
        { code: 'LATE_SHIPMENT', confidence: 0.5 },
      ],
    });

    const error = await failure(provider.analyze(record));

    expect(error.message).toContain('NONE must be the only problem');
  });

  it('refuses a task whose prompt no stage handed over, without calling the server', async () => {
    const unprompted = new OpenAiProvider({ baseUrl: server.baseUrl, model: 'm', timeoutMs: 500 });

    await expect(unprompted.classify(record, analysis)).rejects.toThrow(
      'no prompt was given for classify',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a resolution with missing fields', async () => {
    server.replyWithContent({ action: 'RESHIP', confidence: 0.5 });

    const error = await failure(provider.resolve(record, classification));

    expect(error.message).toContain('automatable');
    expect(error.message).toContain('rationale');
  });
});

describe('createAiProvider with AI_PROVIDER=openai', () => {
  it('calls the configured endpoint with the configured model, key and timeout', async () => {
    const configured = createAiProvider(
      AiConfigSchema.parse({
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: server.baseUrl,
        OPENAI_API_KEY: 'sk-env',
        OPENAI_MODEL: 'gpt-env',
        AI_TIMEOUT_MS: '150',
      }),
      { prompts },
    );
    server.replyWithContent({ problems: [{ code: 'NONE', confidence: 0.9 }] });
    server.replyWithContent({ problems: [{ code: 'NONE', confidence: 0.9 }] }, 3_000);

    await expect(configured.analyze(record)).resolves.toEqual({
      problems: [{ code: 'NONE', confidence: 0.9 }],
    });
    expect(server.requests[0].headers.authorization).toBe('Bearer sk-env');
    expect(server.lastBody.model).toBe('gpt-env');
    expect((await failure(configured.analyze(record))).message).toContain('within 150 ms');
  });
});
