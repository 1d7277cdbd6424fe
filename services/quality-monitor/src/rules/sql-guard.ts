/**
 * The first line of defence for custom_sql rules: one SELECT (or WITH ... SELECT) and nothing
 * else. The role and the READ ONLY transaction they run in are the second and third, so this
 * only has to refuse clearly, not to parse SQL completely.
 */

// Words that let a single SELECT write: data-modifying WITH, SELECT ... INTO, or DDL.
const WRITES = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'truncate',
  'into',
  'create',
  'alter',
  'drop',
  'grant',
  'revoke',
  'copy',
]);

export type SqlCheck = { ok: true; sql: string } | { ok: false; problem: string };

interface Scan {
  words: string[];
  /** Where the first `;` is, if any. */
  semicolon?: number;
  /** Whether there is anything but blanks and comments. */
  code: boolean;
  problem?: string;
}

export function checkReadOnlySql(text: string): SqlCheck {
  const scan = scanSql(text);
  if (scan.problem) return { ok: false, problem: scan.problem };
  let sql = text;
  if (scan.semicolon !== undefined) {
    if (scanSql(text.slice(scan.semicolon + 1)).code)
      return { ok: false, problem: 'multiple statements are not allowed: send one SELECT' };
    sql = text.slice(0, scan.semicolon);
  }
  const [first] = scan.words;
  if (first === undefined) return { ok: false, problem: 'is empty: send one SELECT' };
  if (first !== 'select' && first !== 'with')
    return {
      ok: false,
      problem: `only a single SELECT (or WITH ... SELECT) is allowed; this is ${first.toUpperCase()}`,
    };
  const write = scan.words.find((w) => WRITES.has(w));
  if (write)
    return {
      ok: false,
      problem: `must only read, but contains ${write.toUpperCase()} (quote a column of that name)`,
    };
  return { ok: true, sql: sql.trim() };
}

/** Words outside strings, quoted names and comments, lower-cased, and where `;` first is. */
function scanSql(text: string): Scan {
  const words: string[] = [];
  let semicolon: number | undefined;
  let code = false;
  let i = 0;
  const n = text.length;
  const skipTo = (end: string, from: number): number => {
    const at = text.indexOf(end, from);
    return at < 0 ? -1 : at + end.length;
  };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const pair = text.slice(i, i + 2);
        depth += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
        i += pair === '/*' || pair === '*/' ? 2 : 1;
      }
      if (depth > 0) return { words, semicolon, code, problem: 'has an unterminated /* comment' };
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      code = true;
      const escapes = c === "'" && /[eE]/.test(text[i - 1] ?? '') && !/\w/.test(text[i - 2] ?? '');
      i = skipQuoted(text, i, c, escapes);
      if (i < 0)
        return { words, semicolon, code, problem: 'has an unterminated quoted string or name' };
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/\w/.test(text[i - 1] ?? '')) {
      code = true;
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (!tag) i++;
      else {
        i = skipTo(tag[0], i + tag[0].length);
        if (i < 0) return { words, semicolon, code, problem: 'has an unterminated $$ string' };
      }
    } else if (/[A-Za-z_]/.test(c)) {
      code = true;
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))![0];
      // The E of E'...' is part of the string, not a word.
      if (!(word.length === 1 && /[eE]/.test(word) && text[i + 1] === "'"))
        words.push(word.toLowerCase());
      i += word.length;
    } else {
      if (c === ';' && semicolon === undefined) semicolon = i;
      code = true;
      i++;
    }
  }
  return { words, semicolon, code };
}

/** Past the closing quote; a doubled quote is one quote, and E'' strings take \ escapes. */
function skipQuoted(text: string, start: number, quote: string, escapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (escapes && text[i] === '\\') i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i++;
  }
  return -1;
}
