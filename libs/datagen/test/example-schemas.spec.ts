import { builtInSchemas, loadSchema } from '../src';
import { generateInMemory } from './support/in-memory';

describe('the example schemas', () => {
  it('ship ecomm, bank and gov', () => {
    expect(builtInSchemas()).toEqual(['bank', 'ecomm', 'gov']);
  });

  it.each(['ecomm', 'bank', 'gov'])(
    '%s generates 20,000 rows that the validator passes',
    async (name) => {
      const { quality, summary, tables } = await generateInMemory(loadSchema(name), 3, 20_000);
      expect(quality).toMatchObject({ score: 100, violations: 0 });
      expect(quality.checks).toBeGreaterThan(100_000);
      expect(summary.rows).toBeGreaterThanOrEqual(20_000);
      // Every table of the schema gets rows.
      for (const node of Object.keys(loadSchema(name).nodes))
        expect(tables[node]?.length).toBeGreaterThan(0);
    },
  );
});
