import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { validate } from '@refinery/contracts';
import {
  DeadLetterQueue,
  NATS_CONNECTION,
  replayHeaders,
  replayMsgId,
  type DeadLetterEntry,
} from '@refinery/messaging';
import { badRequest, problemFor, ProblemException } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  dlqSchemas,
  DlqSeqSchema,
  FILTER_NAMES,
  tenantOfSubject,
  type DlqFilter,
  type DlqListQuery,
} from './dlq-filters';
import { DlqReplaysRepository, type ReplayRow } from './dlq-replays.repository';

/** A page of `list` reads at most this many dead letters looking for matches. */
export const MAX_SCAN = 10_000;
/** Dead letters looked up in dlq_replays at once. */
const CHUNK = 100;

export interface ReplayView {
  dlq_seq: number;
  attempt: number;
  subject: string;
  msg_id: string;
  /** Where the replay was stored, and whether JetStream had it already. */
  stream: string;
  stream_seq: number;
  duplicate: boolean;
  replayed_at: string;
  by: string;
}

export interface DeadLetterView {
  seq: number;
  dead_lettered_at: string;
  service: string;
  consumer: string | null;
  reason: string;
  error: string;
  tenant: string | null;
  /** The original message: its subject, stream, sequence there and Nats-Msg-Id. */
  subject: string;
  stream: string | null;
  stream_seq: number | null;
  msg_id: string | null;
  deliveries: number | null;
  /** When it was itself a replay that failed again: the DLQ sequence replayed. */
  replay_of: number | null;
  replayed: boolean;
  replays: ReplayView[];
}

export interface DeadLetterDetail extends DeadLetterView {
  headers: Record<string, string>;
  size: number;
  /** The payload: parsed JSON, or else text, or else base64. */
  payload?: unknown;
  payload_text?: string;
  payload_base64?: string;
}

export interface DeadLetterPage {
  dead_letters: DeadLetterView[];
  /** Pass as `after` for the next page; null when the DLQ has nothing further. */
  next_after: number | null;
  scanned: number;
}

export interface ReplayMatchingResult {
  dry_run: boolean;
  replayed: ReplayView[];
  /** In a dry run: what would be replayed. */
  would_replay: { seq: number; subject: string }[];
  skipped: { seq: number; why: string }[];
  /** True when `limit` stopped it: call again for the rest. */
  more: boolean;
}

export interface PurgeResult {
  dry_run: boolean;
  /** The DLQ sequences removed (in a dry run: that would be). */
  seqs: number[];
  purged: number;
}

const refused = (status: 400 | 404 | 409 | 502, detail: string) =>
  new ProblemException(problemFor(status, detail));

function parse<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = validate(schema, input ?? {}, prefix);
  if (result.ok) return result.value;
  throw badRequest(result.errors);
}

const replayView = (row: ReplayRow): ReplayView => ({
  dlq_seq: row.dlq_seq,
  attempt: row.attempt,
  subject: row.subject,
  msg_id: row.msg_id,
  stream: row.stream,
  stream_seq: row.stream_seq,
  duplicate: row.duplicate,
  replayed_at: new Date(row.replayed_at).toISOString(),
  by: row.replayed_by,
});

function letterView(letter: DeadLetterEntry, replays: readonly ReplayRow[]): DeadLetterView {
  return {
    seq: letter.seq,
    dead_lettered_at: letter.deadLetteredAt.toISOString(),
    service: letter.service,
    consumer: letter.consumer,
    reason: letter.reason,
    error: letter.error,
    tenant: tenantOfSubject(letter.subject) ?? null,
    subject: letter.subject,
    stream: letter.stream,
    stream_seq: letter.streamSeq,
    msg_id: letter.msgId,
    deliveries: letter.deliveries,
    replay_of: letter.replayOf,
    replayed: replays.length > 0,
    replays: replays.map(replayView),
  };
}

function payloadOf(
  data: Uint8Array,
): Pick<DeadLetterDetail, 'payload' | 'payload_text' | 'payload_base64'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return { payload_base64: Buffer.from(data).toString('base64') };
  }
  try {
    return { payload: JSON.parse(text) as unknown };
  } catch {
    return { payload_text: text };
  }
}

interface ScanState {
  scanned: number;
  /** The last DLQ sequence read, matching or not. */
  lastSeq: number;
  /** True when the scan stopped at its budget rather than at the end of the DLQ. */
  cut: boolean;
}

/**
 * The operator's dead letters: list them with filters, show one, replay one or every match to
 * the subject it came from (with a new message id, recorded in dlq_replays), purge matches.
 * `npm run admin -- dlq ...` and /v1/admin/dlq both run this.
 */
@Injectable()
export class ManageDeadLettersUseCase {
  private readonly log = new Logger('dlq');
  private readonly replays: DlqReplaysRepository;
  private queue?: Promise<DeadLetterQueue>;
  private readonly schemas: ReturnType<typeof dlqSchemas>;

  constructor(
    db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {
    this.replays = new DlqReplaysRepository(db);
    this.schemas = dlqSchemas();
  }

  async list(input: unknown): Promise<DeadLetterPage> {
    const query: DlqListQuery = parse(this.schemas.list, input);
    const state: ScanState = { scanned: 0, lastSeq: query.after ?? 0, cut: false };
    const found: DeadLetterView[] = [];
    for await (const { letter, replays } of this.matching(query, query.after, state, MAX_SCAN)) {
      found.push(letterView(letter, replays));
      if (found.length === query.limit) break;
    }
    const full = found.length === query.limit;
    return {
      dead_letters: found,
      next_after: full ? found[found.length - 1].seq : state.cut ? state.lastSeq : null,
      scanned: state.scanned,
    };
  }

  async show(seqInput: unknown): Promise<DeadLetterDetail> {
    const letter = await this.letter(seqInput);
    const replays = (await this.replays.of([letter])).get(letter.seq) ?? [];
    return {
      ...letterView(letter, replays),
      headers: letter.headers,
      size: letter.data.length,
      ...payloadOf(letter.data),
    };
  }

  /** Replays one dead letter; a second time only with `force`. */
  async replay(seqInput: unknown, input: unknown, defaultBy: string): Promise<ReplayView> {
    const { force, by } = parse(this.schemas.replayOne, input);
    const letter = await this.letter(seqInput);
    return replayView(await this.replayLetter(letter, force, by ?? defaultBy));
  }

  /** Replays every dead letter that matches, up to `limit`; those replayed before are skipped. */
  async replayMatching(input: unknown, defaultBy: string): Promise<ReplayMatchingResult> {
    const request = parse(this.schemas.replayMatching, input);
    const result: ReplayMatchingResult = {
      dry_run: request.dry_run,
      replayed: [],
      would_replay: [],
      skipped: [],
      more: false,
    };
    const state: ScanState = { scanned: 0, lastSeq: 0, cut: false };
    for await (const { letter, replays } of this.matching(request, undefined, state)) {
      if (result.replayed.length + result.would_replay.length === request.limit) {
        result.more = true;
        break;
      }
      if (replays.length > 0 && !request.force) {
        result.skipped.push({ seq: letter.seq, why: replayedAlready(letter.seq, replays) });
        continue;
      }
      if (!letter.subject) {
        result.skipped.push({ seq: letter.seq, why: 'it does not name its original subject' });
        continue;
      }
      if (request.dry_run) {
        result.would_replay.push({ seq: letter.seq, subject: letter.subject });
        continue;
      }
      try {
        const row = await this.replayLetter(letter, request.force, request.by ?? defaultBy);
        result.replayed.push(replayView(row));
      } catch (error) {
        // Replayed meanwhile by someone else, say: the others still go.
        if (!(error instanceof ProblemException) || error.problem.status !== 409) throw error;
        result.skipped.push({ seq: letter.seq, why: error.problem.detail ?? 'refused' });
      }
    }
    return result;
  }

  /** Removes every dead letter that matches from the DLQ stream (their replays stay recorded). */
  async purge(input: unknown): Promise<PurgeResult> {
    const request = parse(this.schemas.purge, input);
    const queue = await this.open();
    const seqs: number[] = [];
    const state: ScanState = { scanned: 0, lastSeq: 0, cut: false };
    for await (const { letter } of this.matching(request, undefined, state)) {
      if (request.dry_run || (await queue.remove(letter.seq))) seqs.push(letter.seq);
    }
    if (!request.dry_run && seqs.length > 0)
      this.log.warn(`purged ${seqs.length} dead letter(s) from the DLQ: ${describe(request)}`);
    return { dry_run: request.dry_run, seqs, purged: seqs.length };
  }

  private open(): Promise<DeadLetterQueue> {
    this.queue ??= DeadLetterQueue.open(this.nc).catch((error: unknown) => {
      this.queue = undefined;
      throw error;
    });
    return this.queue;
  }

  private async letter(seqInput: unknown): Promise<DeadLetterEntry> {
    const seq = parse(DlqSeqSchema, seqInput, 'seq');
    const letter = await (await this.open()).get(seq);
    if (!letter)
      throw refused(404, `the DLQ holds no message ${seq} (never stored, purged, or aged out)`);
    return letter;
  }

  private async replayLetter(
    letter: DeadLetterEntry,
    force: boolean,
    by: string,
  ): Promise<ReplayRow> {
    if (!letter.subject)
      throw refused(409, `dead letter ${letter.seq} does not name its original subject`);
    const queue = await this.open();
    const row = await this.replays.replaying(letter, async (previous) => {
      if (previous.length > 0 && !force)
        throw refused(409, `${replayedAlready(letter.seq, previous)}; force replays it again`);
      const msgId = replayMsgId(letter, previous.length + 1);
      let ack;
      try {
        ack = await queue.republish(letter, msgId, replayHeaders(letter.headers, letter));
      } catch (error) {
        throw refused(
          502,
          `could not replay dead letter ${letter.seq} to ${letter.subject}: ${String(error)}`,
        );
      }
      return {
        service: letter.service,
        subject: letter.subject,
        msg_id: msgId,
        stream: ack.stream,
        stream_seq: ack.seq,
        duplicate: ack.duplicate,
        replayed_by: by,
      };
    });
    this.log.log(
      `replayed dead letter ${letter.seq} (${letter.service}, ${letter.reason}) to ${row.subject} ` +
        `as ${row.msg_id} (${row.stream}#${row.stream_seq}) for ${by}`,
    );
    return row;
  }

  /**
   * The dead letters that match, in DLQ order from `after`, with their replays. `budget`
   * bounds how many are read (a page of `list`); `state` says how far the scan got.
   */
  private async *matching(
    filter: DlqFilter,
    after: number | undefined,
    state: ScanState,
    budget = Number.POSITIVE_INFINITY,
  ): AsyncGenerator<{ letter: DeadLetterEntry; replays: ReplayRow[] }> {
    const queue = await this.open();
    const scan = queue.scan({
      after,
      service: filter.service,
      since: filter.since,
      until: filter.until,
    });
    let chunk: DeadLetterEntry[] = [];
    for await (const letter of scan) {
      state.scanned++;
      state.lastSeq = letter.seq;
      if (matchesLetter(filter, letter)) chunk.push(letter);
      if (chunk.length >= CHUNK) {
        yield* this.withReplays(chunk, filter.replayed);
        chunk = [];
      }
      if (state.scanned >= budget) {
        state.cut = true;
        break;
      }
    }
    if (chunk.length > 0) yield* this.withReplays(chunk, filter.replayed);
  }

  /** The letters with their replays, only those replayed (or not) when `replayed` says. */
  private async *withReplays(letters: readonly DeadLetterEntry[], replayed: boolean | undefined) {
    const byLetter = await this.replays.of(letters);
    for (const letter of letters) {
      const replays = byLetter.get(letter.seq) ?? [];
      if (replayed === undefined || replayed === replays.length > 0) yield { letter, replays };
    }
  }
}

/** The filters a scan cannot apply by subject and time. */
function matchesLetter(filter: DlqFilter, letter: DeadLetterEntry): boolean {
  if (filter.reason !== undefined && letter.reason !== filter.reason) return false;
  if (filter.tenant !== undefined && tenantOfSubject(letter.subject) !== filter.tenant)
    return false;
  return true;
}

function replayedAlready(seq: number, replays: readonly ReplayRow[]): string {
  const last = replays[replays.length - 1];
  return `dead letter ${seq} was replayed at ${new Date(last.replayed_at).toISOString()} by ${last.replayed_by} as ${last.msg_id}`;
}

function describe(filter: DlqFilter): string {
  const parts = FILTER_NAMES.filter((name) => filter[name] !== undefined).map((name) => {
    const value = filter[name];
    return `${name}=${value instanceof Date ? value.toISOString() : String(value)}`;
  });
  return parts.length > 0 ? parts.join(' ') : 'all';
}
