/**
 * The first line of defence for custom_sql rules: one SELECT (or WITH ... SELECT) that calls
 * no function with an effect beyond its own result, and names no schema the monitor keeps
 * off limits. The role, the READ ONLY transaction and the session reset after each read are
 * the next lines, so this only has to refuse clearly, not to parse SQL completely.
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

/**
 * Functions that change session or server state (settings, locks that outlive the read,
 * sequences, notifications, other backends), wait, run SQL given as text, or reach files,
 * large objects or other servers. Names, or prefixes ending in `_` or `*`.
 */
const REFUSED_FUNCTIONS = [
  'pg_advisory_*',
  'pg_try_advisory_*',
  'set_config',
  'setseed',
  'pg_sleep*',
  'pg_notify',
  'nextval',
  'setval',
  'currval',
  'lastval',
  'txid_*',
  'pg_current_xact_id*',
  'pg_export_snapshot',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_switch_wal',
  'pg_create_*',
  'pg_drop_replication_slot',
  'pg_replication_*',
  'pg_logical_*',
  'pg_backup_*',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_wal_replay_*',
  'pg_log_backend_memory_contexts',
  'pg_stat_reset*',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_*',
  'pg_stat_file',
  'pg_file_*',
  'dblink*',
  'lo_*',
  'loread',
  'lowrite',
  // These run the query they are given as text, past every check here.
  'query_to_xml*',
  'table_to_xml*',
  'cursor_to_xml*',
  'schema_to_xml*',
  'database_to_xml*',
  'ts_stat',
];

export type SqlCheck =
  | { ok: true; sql: string }
  | {
      ok: false;
      problem: string;
      /** What it reads of a schema kept off limits. */
      offLimits?: { schema: string; relation?: string };
    };

type Token = { kind: 'word' | 'name' | 'mark'; text: string };

interface Scan {
  /** Words, quoted names and punctuation outside strings and comments, in order. */
  tokens: Token[];
  /** Where the first `;` is, if any. */
  semicolon?: number;
  /** Whether there is anything but blanks and comments. */
  code: boolean;
  problem?: string;
}

/** `offLimits`: schemas the query may not name (lower-case). */
export function checkReadOnlySql(text: string, offLimits: readonly string[] = []): SqlCheck {
  const scan = scanSql(text);
  if (scan.problem) return { ok: false, problem: scan.problem };
  let sql = text;
  if (scan.semicolon !== undefined) {
    if (scanSql(text.slice(scan.semicolon + 1)).code)
      return { ok: false, problem: 'multiple statements are not allowed: send one SELECT' };
    sql = text.slice(0, scan.semicolon);
  }
  const words = scan.tokens.filter((t) => t.kind === 'word').map((t) => t.text);
  const [first] = words;
  if (first === undefined) return { ok: false, problem: 'is empty: send one SELECT' };
  if (first !== 'select' && first !== 'with')
    return {
      ok: false,
      problem: `only a single SELECT (or WITH ... SELECT) is allowed; this is ${first.toUpperCase()}`,
    };
  const write = words.find((w) => WRITES.has(w));
  if (write)
    return {
      ok: false,
      problem: `must only read, but contains ${write.toUpperCase()} (quote a column of that name)`,
    };
  return checkTokens(scan.tokens, offLimits) ?? { ok: true, sql: sql.trim() };
}

/** Calls of refused functions, schemas off limits, and row locks. */
function checkTokens(tokens: Token[], offLimits: readonly string[]): SqlCheck | undefined {
  for (const [i, token] of tokens.entries()) {
    const next = tokens[i + 1];
    const followedBy = (mark: string) => next?.kind === 'mark' && next.text === mark;
    const identifier = token.kind !== 'mark';
    const name = token.text.toLowerCase();
    if (identifier && followedBy('(') && isRefusedFunction(name))
      return {
        ok: false,
        problem: `calls ${name}(), which custom SQL may not: it changes session or server state, waits, or reaches outside the query`,
      };
    if (identifier && followedBy('.') && offLimits.includes(name)) {
      const relation = tokens[i + 2]?.kind === 'mark' ? undefined : tokens[i + 2]?.text;
      const problem = offLimitsProblem(name, relation);
      return { ok: false, offLimits: { schema: name, relation }, problem };
    }
    if (
      token.kind === 'word' &&
      name === 'for' &&
      ['share', 'no', 'key'].includes(next?.text ?? '')
    )
      return { ok: false, problem: 'must not lock rows (FOR UPDATE / FOR SHARE)' };
  }
  return undefined;
}

export const offLimitsProblem = (schema: string, relation?: string) =>
  `may not read ${relation ? `${schema}.${relation}` : schema}: validation rules never read the quality monitor's own schema or the tenants and API keys in auth`;

function isRefusedFunction(name: string): boolean {
  return REFUSED_FUNCTIONS.some((refused) =>
    refused.endsWith('*') ? name.startsWith(refused.slice(0, -1)) : name === refused,
  );
}

/** Tokens outside strings and comments (words lower-cased), and where `;` first is. */
function scanSql(text: string): Scan {
  const tokens: Token[] = [];
  let semicolon: number | undefined;
  let code = false;
  let i = 0;
  const n = text.length;
  const skipTo = (end: string, from: number): number => {
    const at = text.indexOf(end, from);
    return at < 0 ? -1 : at + end.length;
  };
  const stop = (problem: string): Scan => ({ tokens, semicolon, code, problem });
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
      if (depth > 0) return stop('has an unterminated /* comment');
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      code = true;
      // A name spelled with escapes could hide what it names from the checks below.
      if (c === '"' && /(^|[^\w$])[uU]&$/.test(text.slice(Math.max(0, i - 3), i)))
        return stop('must not use U&"..." names: write the name plainly');
      const escapes = c === "'" && /[eE]/.test(text[i - 1] ?? '') && !/\w/.test(text[i - 2] ?? '');
      const start = i;
      i = skipQuoted(text, i, c, escapes);
      if (i < 0) return stop('has an unterminated quoted string or name');
      // A string is a value and stays out; a quoted name can still name a function or schema.
      if (c === '"') tokens.push({ kind: 'name', text: text.slice(start + 1, i - 1) });
      else tokens.push({ kind: 'mark', text: "''" });
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/\w/.test(text[i - 1] ?? '')) {
      code = true;
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (!tag) i++;
      else {
        i = skipTo(tag[0], i + tag[0].length);
        if (i < 0) return stop('has an unterminated $$ string');
        tokens.push({ kind: 'mark', text: "''" });
      }
    } else if (/[A-Za-z_]/.test(c)) {
      code = true;
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))![0];
      // The E of E'...' is part of the string, not a word.
      if (!(word.length === 1 && /[eE]/.test(word) && text[i + 1] === "'"))
        tokens.push({ kind: 'word', text: word.toLowerCase() });
      i += word.length;
    } else {
      if (c === ';' && semicolon === undefined) semicolon = i;
      tokens.push({ kind: 'mark', text: c });
      code = true;
      i++;
    }
  }
  return { tokens, semicolon, code };
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
