import { ProblemException } from '@refinery/runtime';
import { CleanseRepository } from './cleanse.repository';
import { z } from 'zod';
import { CleanseRequestSchema } from './cleanse.command';
import { CleanseUseCase } from './cleanse.use-case';
import { ReadOnlyDatabase } from '../read-only/read-only-database';
import { RULES_CONFIG, type RulesConfig } from '../rules-config';

/** The refusal, before anything is read: no database is needed to get it. */
async function refusal(env: Record<string, string>, table: string) {
  const config = z.object(RULES_CONFIG).parse(env) as RulesConfig;
  const unreachable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('the database was touched');
      },
    },
  );
  const cleanse = new CleanseUseCase(
    unreachable as ReadOnlyDatabase,
    unreachable as CleanseRepository,
    config,
  );
  const request = CleanseRequestSchema.parse({ table, actions: [{ action: 'trim', column: 'a' }] });
  const error: unknown = await cleanse.execute(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProblemException);
  return (error as ProblemException).problem;
}

describe('which schemas cleansing may touch', () => {
  it('is off until QUALITY_CLEANSE_SCHEMAS lists a schema, and says so', async () => {
    expect(await refusal({}, 'shop.customers')).toMatchObject({
      status: 403,
      detail: expect.stringMatching(/^cleansing is off: QUALITY_CLEANSE_SCHEMAS lists no schema/),
    });
  });

  it('refuses a schema not listed, and the monitor and auth schemas even when listed', async () => {
    const env = { QUALITY_CLEANSE_SCHEMAS: 'shop, quality ,auth,' };
    expect((await refusal(env, 'billing.invoices')).detail).toBe(
      'cleansing may change only the schemas in QUALITY_CLEANSE_SCHEMAS (shop, quality, auth); billing is not one of them',
    );
    for (const table of ['quality.rule_runs', 'auth.api_keys', 'Quality.rule_runs'])
      expect(await refusal(env, table)).toMatchObject({
        status: 403,
        detail: expect.stringContaining('off limits'),
      });
  });
});
