// `npm run admin -- dlq list|show|replay|purge`: the dead-letter queue from the command line, as
// /v1/admin/dlq serves it (one implementation: ManageDeadLettersUseCase). Tables for people,
// or one JSON line with --json.
import { problemFor, ProblemException } from '@refinery/runtime';
import type {
  DeadLetterDetail,
  DeadLetterPage,
  DeadLetterView,
  ManageDeadLettersUseCase,
  PurgeResult,
  ReplayMatchingResult,
  ReplayView,
} from '../dlq/manage-dead-letters.use-case';

export const DLQ_USAGE = `  dlq list [filters] [--after <seq>] [--limit <n>] [--json]
  dlq show <seq> [--json]
  dlq replay <seq> [--force] [--by <who>] [--json]
  dlq replay (filters | --all) [--force] [--dry-run] [--limit <n>] [--by <who>] [--json]
  dlq purge (filters | --all) [--dry-run] [--json]
    filters: --service <name> --reason <reason> --tenant <slug> --replayed true|false
             --since <time> --until <time>   (ISO time, or a duration ago: 30m, 2h, 7d)`;

export class DlqUsageError extends Error {}

const SWITCHES = new Set(['json', 'force', 'dry-run', 'all']);
const VALUED = new Set([
  'service',
  'reason',
  'tenant',
  'since',
  'until',
  'replayed',
  'after',
  'limit',
  'by',
]);

/** `--dry-run` on the command line is `dry_run` in the use case (and in the HTTP API). */
const fieldOf = (flag: string) => flag.replace(/-/g, '_');
const flagOf = (field: string) => `--${field.replace(/_/g, '-')}`;

export function dlqArgs(args: readonly string[]): {
  positional: string[];
  fields: Record<string, string | boolean>;
  json: boolean;
} {
  const positional: string[] = [];
  const fields: Record<string, string | boolean> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (SWITCHES.has(name)) {
      if (name === 'json') json = true;
      else fields[fieldOf(name)] = true;
      continue;
    }
    if (!VALUED.has(name)) throw new DlqUsageError(`unknown option ${arg}\n${DLQ_USAGE}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new DlqUsageError(`${arg} needs a value`);
    fields[fieldOf(name)] = value;
    i++;
  }
  return { positional, fields, json };
}

/** A refusal of the use case, with the fields it names written as the flags that set them. */
function asFlags(error: unknown): unknown {
  if (!(error instanceof ProblemException) || !error.problem.errors?.length) return error;
  const errors = error.problem.errors.map((e) => ({
    ...e,
    path: e.path === 'seq' ? '<seq>' : flagOf(e.path),
  }));
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return new ProblemException(problemFor(error.problem.status, detail, { errors }));
}

/** Runs one `dlq` command; what it prints. */
export async function runDlqCommand(
  args: readonly string[],
  deadLetters: ManageDeadLettersUseCase,
  by: string,
): Promise<string> {
  const { positional, fields, json } = dlqArgs(args);
  const [verb, target, ...rest] = positional;
  if (rest.length > 0) throw new DlqUsageError(DLQ_USAGE);
  const out = (value: unknown, table: () => string) => (json ? JSON.stringify(value) : table());
  try {
    if (verb === 'list' && target === undefined) {
      const page = await deadLetters.list(fields);
      return out(page, () => listTable(page));
    }
    if (verb === 'show' && target !== undefined && Object.keys(fields).length === 0) {
      const letter = await deadLetters.show(target);
      return out(letter, () => detailText(letter));
    }
    if (verb === 'replay' && target !== undefined) {
      const replay = await deadLetters.replay(target, fields, by);
      return out(replay, () => replayLine(replay));
    }
    if (verb === 'replay') {
      const result = await deadLetters.replayMatching(fields, by);
      return out(result, () => replayMatchingText(result));
    }
    if (verb === 'purge' && target === undefined) {
      const result = await deadLetters.purge(fields);
      return out(result, () => purgeText(result));
    }
  } catch (error) {
    throw asFlags(error);
  }
  throw new DlqUsageError(`usage: npm run admin -- <command>\n${DLQ_USAGE}`);
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

const clip = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text;

/** Columns padded to their widest cell; the last one is left as long as it is. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const replayedCell = (letter: DeadLetterView) =>
  letter.replays.length === 0
    ? 'no'
    : `yes${letter.replays.length > 1 ? ` (${letter.replays.length}x)` : ''}`;

const originalOf = (letter: DeadLetterView) =>
  letter.stream === null
    ? letter.subject
    : `${letter.subject} (${letter.stream} #${letter.stream_seq ?? '?'})`;

export function listTable(page: DeadLetterPage): string {
  if (page.dead_letters.length === 0)
    return page.next_after === null
      ? 'no dead letters match'
      : `none among the ${page.scanned} read; more: --after ${page.next_after}`;
  const rows = page.dead_letters.map((l) => [
    String(l.seq),
    when(l.dead_lettered_at),
    l.service,
    l.reason,
    l.tenant ?? '-',
    originalOf(l),
    String(l.deliveries ?? '-'),
    replayedCell(l),
    clip(l.error, 80),
  ]);
  const header = [
    'SEQ',
    'DEAD-LETTERED',
    'SERVICE',
    'REASON',
    'TENANT',
    'ORIGINAL',
    'DELIVERIES',
    'REPLAYED',
    'ERROR',
  ];
  const count = `${page.dead_letters.length} dead letter(s)`;
  const more = page.next_after === null ? '' : `; more: --after ${page.next_after}`;
  return `${table(header, rows)}\n${count}${more}`;
}

const replayText = (r: ReplayView) =>
  `${when(r.replayed_at)} by ${r.by} as ${r.msg_id} (${r.stream} #${r.stream_seq}${r.duplicate ? ', a duplicate' : ''})`;

export function detailText(letter: DeadLetterDetail): string {
  const fields: [string, string][] = [
    ['dead-lettered', when(letter.dead_lettered_at)],
    ['service', `${letter.service}${letter.consumer ? ` (consumer ${letter.consumer})` : ''}`],
    ['reason', letter.reason],
    ['error', letter.error],
    ['original', originalOf(letter)],
    ['msg id', letter.msg_id ?? '-'],
    ['tenant', letter.tenant ?? '-'],
    ['deliveries', String(letter.deliveries ?? '-')],
    ['replay of', letter.replay_of === null ? '-' : `dead letter ${letter.replay_of}`],
    ['size', `${letter.size} bytes`],
  ];
  const lines = [`dead letter ${letter.seq}`, ...fields.map(([k, v]) => `  ${k.padEnd(14)}${v}`)];
  lines.push(
    letter.replays.length === 0
      ? `  ${'replays'.padEnd(14)}none`
      : `  replays\n${letter.replays.map((r) => `    ${r.attempt}. ${replayText(r)}`).join('\n')}`,
  );
  lines.push('headers');
  for (const [key, value] of Object.entries(letter.headers)) lines.push(`  ${key}: ${value}`);
  lines.push('payload');
  if (letter.payload !== undefined) lines.push(JSON.stringify(letter.payload, null, 2));
  else if (letter.payload_text !== undefined) lines.push(letter.payload_text);
  else lines.push(`(base64) ${letter.payload_base64 ?? ''}`);
  return lines.join('\n');
}

const replayLine = (r: ReplayView) =>
  `replayed dead letter ${r.dlq_seq} to ${r.subject}: ${replayText(r)}`;

export function replayMatchingText(result: ReplayMatchingResult): string {
  const lines = result.dry_run
    ? result.would_replay.map((w) => `would replay dead letter ${w.seq} to ${w.subject}`)
    : result.replayed.map(replayLine);
  for (const s of result.skipped) lines.push(`skipped dead letter ${s.seq}: ${s.why}`);
  const done = result.dry_run ? result.would_replay.length : result.replayed.length;
  lines.push(
    `${result.dry_run ? 'would replay' : 'replayed'} ${done}, skipped ${result.skipped.length}` +
      (result.more ? '; more match: run it again' : ''),
  );
  return lines.join('\n');
}

export function purgeText(result: PurgeResult): string {
  const verb = result.dry_run ? 'would purge' : 'purged';
  if (result.purged === 0) return `${verb} no dead letters`;
  return `${verb} ${result.purged} dead letter(s): ${result.seqs.join(', ')}`;
}
