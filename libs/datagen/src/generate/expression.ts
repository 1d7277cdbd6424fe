/**
 * The small expression language of `derived` columns: numbers, 'strings', column names
 * (`quantity`, `customers.segment`), + - * / %, comparisons, && || !, `c ? a : b`, and the
 * functions below. Compiled once to closures; no `eval`, so a schema cannot run code.
 */
export type Value = unknown;
export type Evaluate<C> = (context: C) => Value;

/** How names and child aggregates resolve; the compiler of a node supplies it. */
export interface ExpressionScope<C> {
  column(name: string): Evaluate<C>;
  /** `sum(order_items.line_total)`, `count(order_items)`: over the row's children. */
  children(node: string, column: string | undefined): (context: C) => Value[];
}

const AGGREGATES: Record<string, (values: Value[]) => Value> = {
  sum: (values) => values.reduce<number>((sum, value) => sum + Number(value), 0),
  count: (values) => values.length,
  mean: (values) =>
    values.length === 0 ? null : values.reduce<number>((s, v) => s + Number(v), 0) / values.length,
};

const DAY = 86_400_000;
const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  round: (x, digits = 0) => {
    const f = 10 ** Number(digits);
    return Math.round(Number(x) * f) / f;
  },
  floor: (x) => Math.floor(Number(x)),
  ceil: (x) => Math.ceil(Number(x)),
  abs: (x) => Math.abs(Number(x)),
  min: (...xs) => Math.min(...xs.map(Number)),
  max: (...xs) => Math.max(...xs.map(Number)),
  concat: (...xs) => xs.map((x) => (x === null || x === undefined ? '' : String(x))).join(''),
  lower: (x) => String(x).toLowerCase(),
  upper: (x) => String(x).toUpperCase(),
  if: (c, a, b) => (c ? a : b),
  coalesce: (...xs) => xs.find((x) => x !== null && x !== undefined) ?? null,
  add_days: (t, days) => Number(t) + Number(days) * DAY,
  days_between: (a, b) => (Number(b) - Number(a)) / DAY,
};

type Token = { kind: 'num' | 'str' | 'name' | 'op'; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(==|!=|<=|>=|&&|\|\||[-+*/%<>!?:(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(source);
    if (!m) throw new Error(`unexpected "${source.slice(at).trim()[0]}" at ${at}`);
    const start = m.index + m[0].length - (m[1] ?? m[4] ?? m[5] ?? '').length;
    if (m[1] !== undefined) tokens.push({ kind: 'num', text: m[1], at: start });
    else if (m[2] !== undefined || m[3] !== undefined) {
      tokens.push({ kind: 'str', text: (m[2] ?? m[3]).replace(/\\(.)/g, '$1'), at });
    } else if (m[4] !== undefined) tokens.push({ kind: 'name', text: m[4], at: start });
    else tokens.push({ kind: 'op', text: m[5], at: start });
    at = pattern.lastIndex;
  }
  return tokens;
}

const BINARY: Record<string, [number, (a: Value, b: Value) => Value]> = {
  '||': [1, (a, b) => a || b],
  '&&': [2, (a, b) => a && b],
  '==': [3, (a, b) => a === b],
  '!=': [3, (a, b) => a !== b],
  '<': [4, (a, b) => Number(a) < Number(b)],
  '<=': [4, (a, b) => Number(a) <= Number(b)],
  '>': [4, (a, b) => Number(a) > Number(b)],
  '>=': [4, (a, b) => Number(a) >= Number(b)],
  '+': [
    5,
    (a, b) => (typeof a === 'string' || typeof b === 'string' ? `${a}${b}` : Number(a) + Number(b)),
  ],
  '-': [5, (a, b) => Number(a) - Number(b)],
  '*': [6, (a, b) => Number(a) * Number(b)],
  '/': [6, (a, b) => Number(a) / Number(b)],
  '%': [6, (a, b) => Number(a) % Number(b)],
};

/** Compiles `source`; a syntax error or unknown name throws with what and where. */
export function compileExpression<C>(source: string, scope: ExpressionScope<C>): Evaluate<C> {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (text: string) => {
    const token = tokens[i++];
    if (token?.text !== text)
      throw new Error(`expected "${text}" at ${token?.at ?? source.length}`);
  };

  const primary = (): Evaluate<C> => {
    const token = tokens[i++];
    if (!token) throw new Error('unexpected end of expression');
    if (token.kind === 'num') {
      const n = Number(token.text);
      return () => n;
    }
    if (token.kind === 'str') return () => token.text;
    if (token.text === '(') {
      const inner = ternary();
      expect(')');
      return inner;
    }
    if (token.text === '-' || token.text === '!') {
      const operand = unary();
      return token.text === '-' ? (c) => -Number(operand(c)) : (c) => !operand(c);
    }
    if (token.kind !== 'name') throw new Error(`unexpected "${token.text}" at ${token.at}`);
    if (token.text === 'true' || token.text === 'false' || token.text === 'null') {
      const literal = token.text === 'null' ? null : token.text === 'true';
      return () => literal;
    }
    if (peek()?.text !== '(') return scope.column(token.text);
    i++;
    if (token.text in AGGREGATES) {
      const target = tokens[i++];
      if (target?.kind !== 'name')
        throw new Error(`${token.text}() takes a child node or node.column`);
      expect(')');
      const [node, column] = target.text.split('.', 2);
      const values = scope.children(node, column);
      const aggregate = AGGREGATES[token.text];
      return (c) => aggregate(values(c));
    }
    const fn = FUNCTIONS[token.text];
    if (!fn) throw new Error(`unknown function ${token.text}() at ${token.at}`);
    const args: Evaluate<C>[] = [];
    while (peek()?.text !== ')') {
      args.push(ternary());
      if (peek()?.text === ',') i++;
      else break;
    }
    expect(')');
    return (c) => fn(...args.map((arg) => arg(c)));
  };
  const unary = primary;

  const binary = (minPrecedence: number): Evaluate<C> => {
    let left = unary();
    for (;;) {
      const op = peek();
      const entry = op?.kind === 'op' ? BINARY[op.text] : undefined;
      if (!entry || entry[0] < minPrecedence) return left;
      i++;
      const right = binary(entry[0] + 1);
      const [, apply] = entry;
      const l = left;
      left = (c) => apply(l(c), right(c));
    }
  };

  const ternary = (): Evaluate<C> => {
    const condition = binary(1);
    if (peek()?.text !== '?') return condition;
    i++;
    const yes = ternary();
    expect(':');
    const no = ternary();
    return (c) => (condition(c) ? yes(c) : no(c));
  };

  const compiled = ternary();
  if (i < tokens.length) throw new Error(`unexpected "${tokens[i].text}" at ${tokens[i].at}`);
  return compiled;
}
