import { z } from 'zod';
import { findHostileInput, INPUT_LIMITS } from './hostile-input';
import { exampleOrder as order } from './records/example-order.spec-fixture';
import { IncomingEventSchema } from './records/record-types';
import { formatPath, validate } from './validation';

/** `levels` objects nested in one another, the outermost included. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const paths = (errors: { path: string }[]) => errors.map((e) => e.path);

describe('findHostileInput', () => {
  it('finds nothing in an ordinary event', () => {
    expect(findHostileInput(order)).toEqual([]);
  });

  it('names each NUL, in values and in keys, by its path', () => {
    const errors = findHostileInput(
      {
        data: { note: 'a\u0000b', items: [{ sku: 'x' }, { sku: '\u0000' }], 'k\u0000': 1 },
      },
      'events[3]',
    );
    expect(paths(errors).sort()).toEqual([
      'events[3].data.items[1].sku',
      'events[3].data.note',
      'events[3].data["k\\u0000"]',
    ]);
    expect(errors.every((e) => /NUL/.test(e.message))).toBe(true);
  });

  it('names a lone surrogate, which no database can store as text', () => {
    const errors = findHostileInput({ note: 'ok \ud83d\ude00', bad: 'x\ud800' });
    expect(errors).toEqual([{ path: 'bad', message: expect.stringMatching(/lone surrogate/) }]);
  });

  it('allows 32 levels of nesting and names where the 33rd begins', () => {
    expect(findHostileInput(nested(32))).toEqual([]);
    const errors = findHostileInput({ data: nested(32) });
    expect(errors).toEqual([
      { path: `data${'.a'.repeat(31)}`, message: 'nests deeper than 32 levels' },
    ]);
    expect(findHostileInput([[[[]]]], 'x')).toEqual([]);
  });

  it('walks any depth without exhausting the stack', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(paths(findHostileInput({ deep }))).toEqual([`deep${'[0]'.repeat(31)}`]);
    const text = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    expect(findHostileInput(JSON.parse(text))).toHaveLength(1);
  });

  it('allows 10,000 keys in an object and names one with more', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i, i]));
    expect(findHostileInput({ data: keys(INPUT_LIMITS.maxKeys) })).toEqual([]);
    expect(findHostileInput({ data: keys(INPUT_LIMITS.maxKeys + 1) })).toEqual([
      { path: 'data', message: 'has 10001 keys; an object may have at most 10000' },
    ]);
  });

  it('lists at most 20 problems, and says that there are more', () => {
    const errors = findHostileInput(
      Array.from({ length: 1000 }, () => '\u0000'),
      'events[0]',
    );
    expect(errors).toHaveLength(INPUT_LIMITS.maxErrors + 1);
    expect(errors.at(-1)).toEqual({
      path: 'events[0]',
      message: 'holds more problems; only the first 20 are listed',
    });
  });

  it('checks a string that is the whole value', () => {
    expect(findHostileInput('\u0000', 'events[1]')).toEqual([
      { path: 'events[1]', message: expect.stringMatching(/NUL/) },
    ]);
  });
});

describe('formatPath', () => {
  it('writes plain keys dotted and others quoted, so a path is unambiguous', () => {
    expect(formatPath(['data', 'items', 0, 'sku'], 'events[3]')).toBe(
      'events[3].data.items[0].sku',
    );
    expect(formatPath(['a.b', 'c d', 'e"f', ''])).toBe('["a.b"]["c d"]["e\\"f"][""]');
    expect(formatPath(['x', '\ud800'])).toBe('x["\\ud800"]');
  });

  it('cuts a very long key short, without splitting a surrogate pair', () => {
    const path = formatPath(['k'.repeat(99) + '😀'.repeat(10)]);
    expect(path).toBe(`${'k'.repeat(99)}…`);
    expect(formatPath(['k'.repeat(5000)])).toHaveLength(101);
  });
});

describe('validate with hostile input', () => {
  it('reports hostile input without showing it to the schema', () => {
    const schema = z.object({ note: z.string() }).superRefine(() => {
      throw new Error('the schema must not see this value');
    });
    const result = validate(schema, { note: 'x\u0000' }, 'events[0]');
    expect(result).toEqual({
      ok: false,
      errors: [{ path: 'events[0].note', message: expect.stringMatching(/NUL/) }],
    });
  });

  it('answers with paths for a value nested far beyond what zod could walk', () => {
    let data: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) data = { data };
    const result = validate(IncomingEventSchema, { ...order, data });
    expect(result.ok).toBe(false);
  });

  it('names a string over its schema limit by path', () => {
    const long = { ...order, data: { ...order.data, notes: 'x'.repeat(10_001) } };
    const result = validate(IncomingEventSchema, long, 'events[3]');
    expect(result.ok ? [] : paths(result.errors)).toEqual(['events[3].data.notes']);
  });

  it('refuses an occurred_at that Postgres cannot store', () => {
    for (const occurred_at of ['0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00']) {
      const result = validate(IncomingEventSchema, { ...order, occurred_at });
      expect(result.ok ? [] : paths(result.errors)).toEqual(['occurred_at']);
    }
    const result = validate(IncomingEventSchema, {
      ...order,
      occurred_at: '0001-01-01T00:00:00-15:59',
    });
    expect(result.ok).toBe(true);
  });
});

describe('every string field of the record schemas', () => {
  /** Each string schema in the JSON Schema of `schema`, by where it is. */
  function strings(node: unknown, at = ''): { at: string; schema: Record<string, unknown> }[] {
    if (typeof node !== 'object' || node === null) return [];
    const schema = node as Record<string, unknown>;
    const own = schema.type === 'string' ? [{ at, schema }] : [];
    return [
      ...own,
      ...Object.entries(schema).flatMap(([key, child]) => strings(child, `${at}/${key}`)),
    ];
  }

  /** `^[A-Z]{3}$` and the like: a pattern that fixes the length. */
  const fixedLength = (pattern: unknown) =>
    typeof pattern === 'string' && /^\^\[[^\]]+\]\{\d+\}\$$/.test(pattern);

  it('has a maximum length, unless its pattern or a few values bound it', () => {
    const json = z.toJSONSchema(IncomingEventSchema, { io: 'input', unrepresentable: 'any' });
    const found = strings(json);
    expect(found.length).toBeGreaterThan(15);
    const unbounded = found.filter(
      ({ schema }) =>
        typeof schema.maxLength !== 'number' &&
        schema.const === undefined &&
        !schema.enum &&
        !fixedLength(schema.pattern),
    );
    expect(unbounded.map((s) => s.at)).toEqual([]);
  });
});

describe('prototype keys', () => {
  const text =
    '{"type":"order","source":"shop-eu","external_id":"p-1","occurred_at":"2026-11-01T10:00:00Z",' +
    '"__proto__":{"polluted":1},' +
    '"data":{"order_number":"A-1","customer":{"id":"c-1","constructor":{"prototype":{"polluted":2}}},' +
    '"items":[{"sku":"S","quantity":1,"unit_price":1}],"currency":"EUR","total":1,"status":"paid",' +
    '"__proto__":{"polluted":3},"prototype":{"polluted":4}}}';

  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are own data after JSON.parse, and alter no prototype', () => {
    const parsed = JSON.parse(text) as { data: Record<string, unknown> };
    expect(Object.getPrototypeOf(parsed.data)).toBe(Object.prototype);
    expect(Object.keys(parsed.data)).toEqual(expect.arrayContaining(['__proto__', 'prototype']));
    expect(JSON.stringify(parsed)).toBe(text);
    expect(findHostileInput(parsed)).toEqual([]);
  });

  it('pass validation; zod keeps constructor and prototype but leaves __proto__ out of its output', () => {
    const result = validate(IncomingEventSchema, JSON.parse(text));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const data = result.value.data as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data.prototype).toEqual({ polluted: 4 });
    expect(Object.hasOwn(data, '__proto__')).toBe(false);
    expect((data.customer as Record<string, unknown>).constructor).toEqual({
      prototype: { polluted: 2 },
    });
    // Hence ingestion stores and publishes the data as it was sent, not zod's copy.
  });
});
