import fc from 'fast-check';

/** A key path into a JSON value, e.g. `['data', 'items', 0, 'sku']`. */
export type JsonPath = readonly (string | number)[];

/** A field of a valid body, and what its schema asks of it. */
export interface FieldRule {
  path: JsonPath;
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  /** The schema's maximum length, for a string. */
  maxLength?: number;
  /** Leaving it out makes the body invalid. */
  required?: boolean;
}

/** What an API under fuzzing asks of a body: the generic mutations below need no more. */
export interface BodyRules {
  fields: readonly FieldRule[];
  /** Objects where keys the schema does not know are allowed (kept or dropped). */
  openObjects: readonly JsonPath[];
}

/** A body made from a valid one, and whether a correct API must refuse it. */
export interface HostileBody {
  /** What was done to it, to tell failing cases apart. */
  kind: string;
  /** The body as a JSON value, when it is one ... */
  json?: unknown;
  /** ... or the bytes to send, when it is not even JSON. */
  bytes?: Uint8Array;
  /** True: a 4xx (or a recorded rejection) is the only right answer. False: it must be accepted. */
  refuse: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets an own property, even one named `__proto__`. */
function own(target: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function at(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

/** Every string (as a value, or as an object key) in `value`, with where it is. */
function strings(value: unknown, path: JsonPath = []): { path: JsonPath; key: boolean }[] {
  if (typeof value === 'string') return [{ path, key: false }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, i]));
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    { path: [...path, k], key: true },
    ...strings(v, [...path, k]),
  ]);
}

/** Every object in `value`, by path. */
function objects(value: unknown, path: JsonPath = []): JsonPath[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objects(v, [...path, i]));
  if (!isObject(value)) return [];
  return [path, ...Object.entries(value).flatMap(([k, v]) => objects(v, [...path, k]))];
}

/** Replaces the value at `path` (or renames its key, with `key`), in a copy. */
function edit(
  body: unknown,
  path: JsonPath,
  change: (old: unknown) => unknown,
  key?: (old: string) => string,
): unknown {
  const copy = structuredClone(body);
  if (path.length === 0) return change(copy);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (key && typeof last === 'string') {
    // Rebuilt in order, so that the renamed key keeps its place.
    const entries = Object.entries(parent);
    for (const k of Object.keys(parent)) delete parent[k];
    for (const [k, v] of entries) own(parent, k === last ? key(k) : k, v);
  } else own(parent, last, change(parent[last]));
  return copy;
}

/** `levels` containers, each holding the next: objects and arrays as `shape` says. */
function nest(levels: number, shape: number): unknown {
  let value: unknown = shape % 3;
  for (let i = 0; i < levels; i++) value = (shape >> (i % 16)) & 1 ? [value] : { n: value };
  return value;
}

const wide = (keys: number) =>
  Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));

const otherType: Record<FieldRule['type'], unknown[]> = {
  string: [42, true, null, [], {}],
  number: ['42', true, null, [1], { n: 1 }],
  boolean: ['true', 1, null, [], {}],
  object: ['{}', 1, false, null, [1]],
  array: ['[]', 1, true, null, { 0: 1 }],
};

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length];

type Mutation = (body: Record<string, unknown>) => HostileBody;

/**
 * Bodies an API must refuse (or, for prototype keys, accept), each made from a valid one:
 * NUL characters and lone surrogates in any string or key, nesting past 32 levels, objects
 * with more than 10,000 keys, strings over their limit, wrong types, missing fields, other
 * JSON than an object, and bytes that are not JSON. The valid body itself comes too.
 */
export function hostileBodies(
  valid: fc.Arbitrary<Record<string, unknown>>,
  rules: BodyRules,
): fc.Arbitrary<HostileBody> {
  const required = rules.fields.filter((f) => f.required);
  const limited = rules.fields.filter((f) => f.maxLength !== undefined);
  const n = fc.nat();
  const mutations: { weight: number; arbitrary: fc.Arbitrary<Mutation> }[] = [
    {
      weight: 4,
      arbitrary: fc
        .record({ which: n, where: n, only: fc.boolean() })
        .map(({ which, where, only }): Mutation => (body) => {
          const target = pick(strings(body), which);
          const insert = (s: string) => {
            const i = where % (s.length + 1);
            return only ? '\u0000' : `${s.slice(0, i)}\u0000${s.slice(i)}`;
          };
          const json = target.key
            ? edit(body, target.path, (v) => v, insert)
            : edit(body, target.path, (v) => insert(v as string));
          return { kind: target.key ? 'nul-in-key' : 'nul-in-string', json, refuse: true };
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ which: n, high: fc.boolean() })
        .map(({ which, high }): Mutation => (body) => {
          const target = pick(strings(body), which);
          // A high surrogate last, or a low one first, pairs with nothing.
          const lone = (s: string) => (high ? `${s}\ud800` : `\udc00${s}`);
          const json = target.key
            ? edit(body, target.path, (v) => v, lone)
            : edit(body, target.path, (v) => lone(v as string));
          return { kind: 'lone-surrogate', json, refuse: true };
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ where: n, levels: fc.integer({ min: 32, max: 3_000 }), shape: n })
        .map(({ where, levels, shape }): Mutation => (body) => {
          const json = edit(body, pick(objects(body), where), (o) => {
            own(o as Record<string, unknown>, 'fuzz_deep', nest(levels, shape));
            return o;
          });
          return { kind: 'too-deep', json, refuse: true };
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ where: n, keys: fc.integer({ min: 10_001, max: 10_200 }) })
        .map(({ where, keys }): Mutation => (body) => {
          const json = edit(body, pick(objects(body), where), (o) => {
            own(o as Record<string, unknown>, 'fuzz_wide', wide(keys));
            return o;
          });
          return { kind: 'too-many-keys', json, refuse: true };
        }),
    },
    ...(limited.length === 0
      ? []
      : [
          {
            weight: 3,
            arbitrary: fc
              .record({ which: n, over: fc.integer({ min: 1, max: 5_000 }), char: n })
              .map(({ which, over, char }): Mutation => (body) => {
                const field = pick(limited, which);
                const long = pick(['x', 'é', '😀', ' '], char).repeat(field.maxLength! + over);
                return {
                  kind: 'over-long',
                  json: edit(body, field.path, () => long),
                  refuse: true,
                };
              }),
          },
        ]),
    ...(rules.fields.length === 0
      ? []
      : [
          {
            weight: 3,
            arbitrary: fc
              .record({ which: n, value: n })
              .map(({ which, value }): Mutation => (body) => {
                const field = pick(rules.fields, which);
                const json = edit(body, field.path, () => pick(otherType[field.type], value));
                return { kind: 'wrong-type', json, refuse: true };
              }),
          },
        ]),
    ...(required.length === 0
      ? []
      : [
          {
            weight: 2,
            arbitrary: n.map((which): Mutation => (body) => {
              const field = pick(required, which);
              const copy = structuredClone(body);
              const parent = at(copy, field.path.slice(0, -1)) as Record<string, unknown>;
              delete parent[field.path[field.path.length - 1] as string];
              return { kind: 'missing-field', json: copy, refuse: true };
            }),
          },
        ]),
    // Kept as plain data where unknown keys are allowed; a strict object refuses them anyway.
    ...(rules.openObjects.length === 0
      ? []
      : [
          {
            weight: 2,
            arbitrary: fc
              .record({
                where: n,
                key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
                value: fc.oneof(
                  fc.constant({ polluted: true }),
                  fc.constant({ prototype: { polluted: true } }),
                  fc.jsonValue({ maxDepth: 2 }),
                ),
              })
              .map(({ where, key, value }): Mutation => (body) => {
                const json = edit(body, pick(rules.openObjects, where), (o) => {
                  own(o as Record<string, unknown>, key, value);
                  return o;
                });
                return { kind: `prototype-key ${key}`, json, refuse: false };
              }),
          },
        ]),
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.array(fc.jsonValue({ maxDepth: 2 })), fc.string(), fc.double(), fc.boolean())
        .map((value): Mutation => () => ({ kind: 'not-an-object', json: value, refuse: true })),
    },
    {
      weight: 1,
      arbitrary: fc.constant((): HostileBody => ({ kind: 'null', json: null, refuse: true })),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({
          how: fc.constantFrom('truncated', 'garbage', 'not-utf8'),
          where: n,
          byte: fc.constantFrom(0xff, 0xc0, 0xfe, 0x80, 0x00),
        })
        .map(({ how, where, byte }): Mutation => (body) => {
          const text = Buffer.from(JSON.stringify(body));
          let bytes: Uint8Array;
          if (how === 'truncated') bytes = text.subarray(0, 1 + (where % (text.length - 1)));
          // Right after the opening brace, where no JSON may have such a byte or a comma.
          else if (how === 'garbage')
            bytes = Buffer.concat([text.subarray(0, 1), Buffer.from(','), text.subarray(1)]);
          else bytes = Buffer.concat([text.subarray(0, 1), Buffer.from([byte]), text.subarray(1)]);
          return { kind: `broken-json ${how}`, bytes, refuse: true };
        }),
    },
  ];
  const mutation = fc.oneof(...mutations);
  return fc.oneof(
    {
      weight: 1,
      arbitrary: valid.map((json): HostileBody => ({ kind: 'valid', json, refuse: false })),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, mutation).map(([body, mutate]) => mutate(body)),
    },
  );
}
