import { compilePlan } from '../src/generate/plan';
import { parseSchema, SchemaError } from '../src';
import { baseSchema } from './support/in-memory';

/** The problems a schema's author sees, each named by its path. */
function problemsOf(schema: object): string[] {
  try {
    compilePlan(parseSchema(schema), 1);
  } catch (error) {
    if (error instanceof SchemaError) return error.errors.map((e) => `${e.path}: ${e.message}`);
    throw error;
  }
  return [];
}

const customers = (columns: object = {}, extra: object = {}) => ({
  kind: 'entity',
  primary_key: 'id',
  columns: { id: { gen: 'sequence' }, ...columns },
  ...extra,
});
const orders = (columns: object = {}, extra: object = {}) => ({
  kind: 'fact',
  primary_key: 'id',
  fanout: { distribution: { kind: 'poisson', lambda: 2 } },
  columns: { id: { gen: 'sequence' }, customer_id: { gen: 'ref', node: 'customers' }, ...columns },
  ...extra,
});

describe('schema errors', () => {
  it('accepts the minimal schema', () => {
    expect(problemsOf(baseSchema({ customers: customers(), orders: orders() }))).toEqual([]);
  });

  it('names the path of a bad distribution parameter', () => {
    const problems = problemsOf(
      baseSchema({ customers: customers({ x: { gen: 'normal', mean: 1, sd: -2 } }) }),
    );
    expect(problems).toEqual([expect.stringMatching(/^nodes\.customers\.columns\.x: .*sd/)]);
  });

  it('names an unknown generator, a bad column name and a missing field by path', () => {
    const problems = problemsOf(
      baseSchema({ customers: customers({ x: { gen: 'gaussian' }, 'Bad Name': { gen: 'uuid' } }) }),
    );
    expect(problems.join('\n')).toMatch(/nodes\.customers\.columns\.x\.gen/);
    expect(problems.join('\n')).toMatch(/Bad Name/);
  });

  it('names a reference to a node that does not exist', () => {
    expect(
      problemsOf(baseSchema({ customers: customers({ c: { gen: 'ref', node: 'accounts' } }) })),
    ).toEqual(['nodes.customers.columns.c.node: no node named accounts']);
  });

  it('names a foreign-key cycle along its path', () => {
    const problems = problemsOf(
      baseSchema({
        customers: customers(),
        a: orders(
          { b_id: { gen: 'ref', node: 'b' } },
          { fanout: { per: 'customers', distribution: { kind: 'constant', value: 1 } } },
        ),
        b: orders(
          { a_id: { gen: 'ref', node: 'a' } },
          { fanout: { per: 'customers', distribution: { kind: 'constant', value: 1 } } },
        ),
      }),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/foreign keys form a cycle: (a -> b -> a|b -> a -> b)/),
    );
  });

  it('asks which parent when a node with fanout refers to two nodes', () => {
    const problems = problemsOf(
      baseSchema({
        customers: customers(),
        products: customers({}, { rows: 10 }),
        orders: orders({ p: { gen: 'ref', node: 'products' } }),
      }),
    );
    expect(problems).toEqual([expect.stringMatching(/^nodes\.orders\.fanout: .*fanout\.per/)]);
  });

  it('needs exactly one growing root node', () => {
    expect(problemsOf(baseSchema({ a: customers(), b: customers() }))).toEqual([
      'nodes: only one root node may leave out `rows`; these do: a, b',
    ]);
    expect(problemsOf(baseSchema({ a: customers({}, { rows: 5 }) }))[0]).toMatch(
      /one root node must leave out/,
    );
  });

  it('refuses a lookup into a node whose size is not fixed', () => {
    const problems = problemsOf(
      baseSchema({
        customers: customers(),
        orders: orders(),
        notes: orders(
          { o: { gen: 'ref', node: 'orders' } },
          { fanout: { per: 'customers', distribution: { kind: 'constant', value: 1 } } },
        ),
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^nodes\.notes\.columns\.o: orders is neither an ancestor/),
    ]);
  });

  it('names an expression that reads a column declared after it, or a missing one', () => {
    const problems = problemsOf(
      baseSchema({
        customers: customers({
          a: { gen: 'derived', expr: 'b * 2' },
          b: { gen: 'uniform', min: 0, max: 1 },
          c: { gen: 'derived', expr: 'nope + 1' },
          d: { gen: 'derived', expr: 'round(b, ' },
        }),
      }),
    );
    expect(problems).toEqual([
      'nodes.customers.columns.a: reads b, which is declared after it; declare b first',
      'nodes.customers.columns.c: cannot read nope: customers has no column nope',
      expect.stringMatching(/^nodes\.customers\.columns\.d: unexpected end/),
    ]);
  });

  it('rejects a segment that the segment column cannot take', () => {
    const problems = problemsOf(
      baseSchema({
        customers: customers({ segment: { gen: 'categorical', values: ['premium', 'basic'] } }),
        orders: orders(
          { amount: { gen: 'uniform', min: 1, max: 2 } },
          {
            modifiers: [
              {
                type: 'segment_behavior',
                segment_column: 'segment',
                behaviors: { vip: { value_multiplier: 2 } },
                applies_to_columns: ['amount'],
              },
            ],
          },
        ),
      }),
    );
    expect(problems).toEqual([
      'nodes.orders.modifiers[0].behaviors.vip: vip is not a value of customers.segment (premium, basic)',
    ]);
  });

  it('says where a file has problems', () => {
    expect(() => parseSchema({ name: 'x' })).toThrow(/horizon/);
  });
});
