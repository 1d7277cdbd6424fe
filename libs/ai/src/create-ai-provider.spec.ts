import { z } from 'zod';
import { AiConfigSchema, createAiProvider, type AiConfig } from './create-ai-provider';
import { AiProviderError, type AiProvider, type RecordInput } from './provider';
import { RulesProvider } from './rules';

/** The variables a parse complains about, as a service's start would list them. */
function badVariables(env: Record<string, string>): string[] {
  const result = AiConfigSchema.safeParse(env);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.')).sort();
}

const config = (env: Record<string, string> = {}): AiConfig => AiConfigSchema.parse(env);

const record: RecordInput = {
  recordId: 'r-1',
  tenant: 'acme',
  recordType: 'exception',
  payload: { order_number: 'A-1', description: 'parcel crushed' },
};

describe('AiConfigSchema', () => {
  it('defaults to the local provider with no faults', () => {
    expect(config()).toEqual({
      AI_PROVIDER: 'local',
      AI_TIMEOUT_MS: 20_000,
      AI_FAULT_RATE: 0,
      AI_FAULT_LATENCY_MS: 0,
    });
  });

  it('reads numbers from strings', () => {
    expect(
      config({ AI_TIMEOUT_MS: '5000', AI_FAULT_RATE: '0.25', AI_FAULT_LATENCY_MS: '40' }),
    ).toMatchObject({ AI_TIMEOUT_MS: 5000, AI_FAULT_RATE: 0.25, AI_FAULT_LATENCY_MS: 40 });
  });

  it('names every bad variable at once', () => {
    expect(
      badVariables({
        AI_PROVIDER: 'gpt',
        OPENAI_BASE_URL: 'ftp://models.internal',
        AI_TIMEOUT_MS: 'soon',
        AI_FAULT_RATE: '1.5',
        AI_FAULT_LATENCY_MS: '-5',
      }),
    ).toEqual([
      'AI_FAULT_LATENCY_MS',
      'AI_FAULT_RATE',
      'AI_PROVIDER',
      'AI_TIMEOUT_MS',
      'OPENAI_BASE_URL',
    ]);
  });

  it('requires the URL and model for openai, naming both', () => {
    const result = AiConfigSchema.safeParse({ AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-1' });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['OPENAI_BASE_URL'],
        message: 'required when AI_PROVIDER=openai',
      }),
      expect.objectContaining({
        path: ['OPENAI_MODEL'],
        message: 'required when AI_PROVIDER=openai',
      }),
    ]);
  });

  it('names the missing openai settings alongside other bad variables', () => {
    expect(
      badVariables({ AI_PROVIDER: 'openai', AI_FAULT_RATE: 'often', OPENAI_MODEL: '' }),
    ).toEqual(['AI_FAULT_RATE', 'OPENAI_BASE_URL', 'OPENAI_MODEL']);
  });

  it('accepts openai without a key, for servers that need none', () => {
    expect(
      badVariables({
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
        OPENAI_MODEL: 'llama',
      }),
    ).toEqual([]);
  });

  it('keeps the openai check when a service adds its own variables', () => {
    const ServiceConfig = AiConfigSchema.safeExtend({ PORT: z.coerce.number().default(3000) });

    const result = ServiceConfig.safeParse({ AI_PROVIDER: 'openai', PORT: 'x' });

    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'OPENAI_BASE_URL',
      'OPENAI_MODEL',
      'PORT',
    ]);
  });
});

describe('createAiProvider', () => {
  it('builds the rules provider', () => {
    const provider = createAiProvider(config({ AI_PROVIDER: 'rules' }));

    expect(provider).toMatchObject({ name: 'rules', version: 'rules-1' });
  });

  it('builds the openai provider for the configured model', () => {
    const provider = createAiProvider(
      config({
        AI_PROVIDER: 'openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        OPENAI_MODEL: 'gpt-4o-mini',
      }),
    );

    expect(provider).toMatchObject({ name: 'openai', version: 'openai:gpt-4o-mini' });
  });

  it('refuses an openai config that skipped the schema and lacks a model', () => {
    const unchecked = {
      ...config(),
      AI_PROVIDER: 'openai' as const,
      OPENAI_BASE_URL: 'http://x/v1',
    };

    expect(() => createAiProvider(unchecked)).toThrow('AI_PROVIDER=openai needs OPENAI_MODEL');
  });

  it('uses the local provider it is given', () => {
    const local: AiProvider = {
      name: 'local',
      version: 'local-test',
      deterministic: true,
      analyze: jest.fn(),
      classify: jest.fn(),
      resolve: jest.fn(),
    };

    expect(createAiProvider(config(), { local: () => local })).toBe(local);
  });

  it('explains that the local provider was not given', () => {
    expect(() => createAiProvider(config())).toThrow(/AI_PROVIDER=local.*no local provider/);
  });

  it('wraps the provider with faults when a fault rate is set', async () => {
    const provider = createAiProvider(config({ AI_PROVIDER: 'rules', AI_FAULT_RATE: '0.5' }), {
      random: () => 0.1,
    });

    expect(provider.version).toBe('rules-1');
    await expect(provider.analyze(record)).rejects.toThrow(AiProviderError);
  });

  it('leaves the provider as it is without faults', () => {
    const provider = createAiProvider(config({ AI_PROVIDER: 'rules' }), { random: () => 0 });

    expect(provider).toBeInstanceOf(RulesProvider);
  });
});
