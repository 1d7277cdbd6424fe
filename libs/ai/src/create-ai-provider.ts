import { z } from 'zod';
import { withFaults } from './faults';
import { OpenAiProvider, type TaskPrompts } from './openai';
import type { AiProvider } from './provider';
import { RulesProvider } from './rules';

export const AI_PROVIDER_NAMES = ['local', 'openai', 'rules'] as const;

// Compose files often pass an unset variable through as "", which means "not set" here.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const OPENAI_REQUIRED = ['OPENAI_BASE_URL', 'OPENAI_MODEL'] as const;

/**
 * The AI settings, shaped like the environment. The key is optional because self-hosted
 * OpenAI-compatible servers often need none. To combine with a service's own settings keep
 * the cross-field check: `AiConfigSchema.safeExtend(BaseConfigSchema.shape)`.
 */
export const AiConfigSchema = z
  .object({
    AI_PROVIDER: z.enum(AI_PROVIDER_NAMES).default('local'),
    OPENAI_BASE_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    OPENAI_API_KEY: optional(z.string()),
    OPENAI_MODEL: optional(z.string()),
    AI_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
    AI_FAULT_RATE: z.coerce.number().min(0).max(1).default(0),
    AI_FAULT_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  })
  .superRefine(
    (config, ctx) => {
      if (config.AI_PROVIDER !== 'openai') return;
      for (const name of OPENAI_REQUIRED) {
        if (!config[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'required when AI_PROVIDER=openai',
          });
        }
      }
    },
    // Run even when other variables are bad, so one start names every problem.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type AiConfig = z.infer<typeof AiConfigSchema>;

export interface CreateAiProviderOptions {
  /** Builds the local model provider; needed only when AI_PROVIDER=local. */
  local?: () => AiProvider;
  /** Decides injected faults; a seeded one makes fault runs repeatable. */
  random?: () => number;
  /** What an OpenAI-compatible model is told per task; the stage that asks owns its prompt. */
  prompts?: TaskPrompts;
}

/** The provider the configuration names, slowed and failed on purpose when faults are set. */
export function createAiProvider(
  config: AiConfig,
  options: CreateAiProviderOptions = {},
): AiProvider {
  const provider = baseProvider(config, options);
  if (config.AI_FAULT_RATE === 0 && config.AI_FAULT_LATENCY_MS === 0) return provider;
  return withFaults(provider, {
    failureRate: config.AI_FAULT_RATE,
    latencyMs: config.AI_FAULT_LATENCY_MS,
    random: options.random,
  });
}

function baseProvider(config: AiConfig, options: CreateAiProviderOptions): AiProvider {
  switch (config.AI_PROVIDER) {
    case 'rules':
      return new RulesProvider();
    case 'local':
      if (!options.local) {
        throw new Error('AI_PROVIDER=local but no local provider was given to createAiProvider');
      }
      return options.local();
    case 'openai': {
      // Repeated here for configs built without AiConfigSchema.
      const { OPENAI_BASE_URL: baseUrl, OPENAI_MODEL: model } = config;
      if (!baseUrl || !model) {
        const missing = OPENAI_REQUIRED.filter((name) => !config[name]);
        throw new Error(`AI_PROVIDER=openai needs ${missing.join(' and ')}`);
      }
      return new OpenAiProvider({
        baseUrl,
        model,
        apiKey: config.OPENAI_API_KEY,
        timeoutMs: config.AI_TIMEOUT_MS,
        prompts: options.prompts,
      });
    }
  }
}
