import { setTimeout as sleep } from 'node:timers/promises';
import { BEHAVIOR_EVENT_TYPES, RECORD_EVENT_TYPES, Tally } from './counts';
import { segmentCallOf, type GeneratedEvent } from './event-template';
import type { EventPublisher, PublishSummary, TypeCounts } from './publisher';
import { TokenBucket } from './token-bucket';
import { Waiters } from './waiters';

export interface HttpPublisherOptions {
  /** Where ingestion answers, e.g. http://localhost:3000. */
  baseUrl: string;
  /** A tenant key with the `ingest` scope. */
  apiKey: string;
  /** Events per second; undefined: as fast as ingestion accepts them. */
  rate?: number;
  /** Events per request, at most the server's limit. */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/** MAX_BATCH_EVENTS of services/ingestion/src/config.ts; a 413 is handled by splitting anyway. */
export const SERVER_MAX_BATCH = 1000;
/** Tries per batch on a 5xx or a network failure; then the run fails rather than lose events. */
const ATTEMPTS = 6;
/** 429s in a row for one batch before the run fails: the tenant's rate is far too low. */
const THROTTLED_ATTEMPTS = 60;
const REQUEST_TIMEOUT_MS = 30_000;

interface Reply {
  status: number;
  body?: unknown;
  retryAfterS?: number;
  error?: unknown;
}

interface FieldError {
  path: string;
  message: string;
}

interface Result {
  index: number;
  status: 'accepted' | 'duplicate' | 'invalid';
  errors?: FieldError[];
}

/** A route of ingestion and the events waiting for it; batches never mix routes. */
interface Lane {
  url: string;
  /** The status of an answer with an outcome per event: 202 for records, 200 for calls. */
  success: number;
  queue: GeneratedEvent[];
  body(batch: GeneratedEvent[]): unknown;
  count(batch: GeneratedEvent[], body: unknown, maybeStored: boolean): void;
}

/**
 * POSTs records as `{"events": [...]}` to ingestion's /v1/events, and behavioural events
 * (`track`, `identify`) as Segment calls, `{"batch": [...]}`, to /v1/batch; both share the
 * batching, the rate, the retries and the handling of 429 and 413. Counting:
 * - `sent`: events ingestion gave an outcome for; `accepted + duplicates + rejected = sent`.
 * - Records: a batch whose request failed without an answer (network error, 5xx) may be partly
 *   stored, so on its retry a `duplicate` is counted as accepted: it is ours from the attempt
 *   before. A clean run therefore reports 0 duplicates, and the same run again reports all of
 *   them. A 429 stores nothing (the limit is checked first), so it does not change that.
 * - Calls: /v1/batch says how many calls it published and names the invalid ones, but not
 *   which were already held: JetStream drops a resent `messageId` within its duplicate window
 *   and still counts it accepted. So calls are `accepted` or `rejected`, never `duplicates`; a
 *   rerun counts them accepted again, and it is JetStream (within 2 minutes) and analytics (by
 *   tenant and messageId) that keep each once.
 * - Types the contracts do not know are `skipped`, never sent.
 */
export class HttpPublisher implements EventPublisher {
  private readonly records: Lane;
  private readonly calls: Lane;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly bucket?: TokenBucket;
  private readonly tally = new Tally();
  private readonly waiters = new Waiters();
  private readonly problems: string[] = [];
  private inFlight = 0;
  private closing = false;
  private failure?: Error;
  /** After a 429 every request holds off until then, not only the one refused. */
  private notBefore = 0;
  /** How often ingestion said 429, and how many requests were retried after a failure. */
  readonly stats = { throttled: 0, retried: 0 };

  constructor(private readonly options: HttpPublisherOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.records = {
      url: `${base}/v1/events`,
      success: 202,
      queue: [],
      body: (events) => ({ events }),
      count: (batch, body, maybeStored) => this.countRecords(batch, body, maybeStored),
    };
    this.calls = {
      url: `${base}/v1/batch`,
      success: 200,
      queue: [],
      body: (events) => ({ batch: events.map(segmentCallOf) }),
      count: (batch, body) => this.countCalls(batch, body),
    };
    const { rate } = options;
    // A low rate gets small batches, about ten requests a second, rather than rare big bursts.
    const paced = rate === undefined ? SERVER_MAX_BATCH : Math.ceil(rate / 10);
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? 500, SERVER_MAX_BATCH, paced));
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    if (rate !== undefined) this.bucket = new TokenBucket(rate, this.batchSize);
  }

  publish(event: GeneratedEvent): void {
    if (this.failure) throw this.failure;
    const lane = RECORD_EVENT_TYPES.has(event.type)
      ? this.records
      : BEHAVIOR_EVENT_TYPES.has(event.type)
        ? this.calls
        : undefined;
    if (!lane) return this.tally.add(event.type, 'skipped');
    lane.queue.push(event);
    this.dispatch();
  }

  pause(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued() >= this.high()) {
      return this.waiters.until(() => this.queued() < this.high() / 2, this.failure);
    }
    // The generator runs without a break otherwise: let the requests in flight progress.
    return this.inFlight > 0 ? new Promise((resolve) => setImmediate(resolve)) : undefined;
  }

  counts(): TypeCounts {
    return this.tally.counts();
  }

  /** Up to ten reasons ingestion gave for rejected events. */
  rejections(): string[] {
    return [...this.problems];
  }

  async close(): Promise<PublishSummary> {
    this.closing = true;
    this.dispatch();
    await this.waiters.until(() => this.queued() === 0 && this.inFlight === 0, this.failure);
    return this.tally.summary(this.options.baseUrl);
  }

  /** Events waiting, of both lanes. */
  private queued(): number {
    return this.records.queue.length + this.calls.queue.length;
  }

  /** Events waiting at which the generator pauses. */
  private high(): number {
    return this.batchSize * this.concurrency * 2;
  }

  /**
   * The lane to send a batch of next, the fuller one first: a full batch, or what is left when
   * closing, or while the generator waits for the queues to shrink (two lanes short of a full
   * batch each could otherwise hold it up for good).
   */
  private nextLane(): Lane | undefined {
    const draining = this.closing || this.queued() >= this.high() / 2;
    return [this.records, this.calls]
      .filter((l) => l.queue.length >= this.batchSize || (draining && l.queue.length > 0))
      .sort((a, b) => b.queue.length - a.queue.length)[0];
  }

  private dispatch(): void {
    for (;;) {
      if (this.failure || this.inFlight >= this.concurrency) return;
      const lane = this.nextLane();
      if (!lane) return;
      const batch = lane.queue.splice(0, this.batchSize);
      this.inFlight++;
      void (async () => {
        try {
          await this.bucket?.take(batch.length);
          await this.deliver(lane, batch);
        } catch (error) {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        }
        this.inFlight--;
        this.dispatch();
        this.waiters.check(this.failure);
      })();
    }
  }

  /** Sends one batch until ingestion has an outcome for each of its events. */
  private async deliver(lane: Lane, batch: GeneratedEvent[], maybeStored = false): Promise<void> {
    let failures = 0;
    let throttled = 0;
    for (;;) {
      const wait = this.notBefore - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.failure) return;
      const reply = await this.post(lane, batch);
      const { status } = reply;
      if (status === lane.success) return lane.count(batch, reply.body, maybeStored);
      if (status === 400) return this.rejectAll(batch, reply.body);
      if (status === 413 && batch.length > 1) {
        // Over the body limit: each half on its own, down to single events.
        const half = Math.ceil(batch.length / 2);
        await this.deliver(lane, batch.slice(0, half), maybeStored);
        return this.deliver(lane, batch.slice(half), maybeStored);
      }
      if (status === 413) return this.rejectAll(batch, reply.body);
      if (status === 401 || status === 403) throw this.keyError(status, reply.body);
      if (status === 429) {
        this.stats.throttled++;
        if (++throttled > THROTTLED_ATTEMPTS) {
          throw new Error(`ingestion kept answering 429 (${detailOf(reply.body)}); lower --rate`);
        }
        this.notBefore = Math.max(this.notBefore, Date.now() + (reply.retryAfterS ?? 1) * 1000);
        continue;
      }
      if (status === 0 || status >= 500) {
        maybeStored = true;
        this.stats.retried++;
        if (++failures >= ATTEMPTS) {
          const why = status === 0 ? String(reply.error) : `${status} ${detailOf(reply.body)}`;
          throw new Error(`ingestion at ${lane.url} failed ${ATTEMPTS} times in a row: ${why}`);
        }
        const backoffS = Math.min(8, 0.25 * 2 ** (failures - 1));
        await sleep(Math.max(backoffS, reply.retryAfterS ?? 0) * 1000);
        continue;
      }
      throw new Error(`ingestion at ${lane.url} answered ${status}: ${detailOf(reply.body)}`);
    }
  }

  private async post(lane: Lane, batch: GeneratedEvent[]): Promise<Reply> {
    try {
      const res = await fetch(lane.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.options.apiKey },
        body: JSON.stringify(lane.body(batch)),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // A proxy's HTML error page: kept as text for the message.
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      return { status: res.status, body, retryAfterS: retryAfter > 0 ? retryAfter : undefined };
    } catch (error) {
      return { status: 0, error };
    }
  }

  /** /v1/events: one result per event, by its index in the batch. */
  private countRecords(batch: GeneratedEvent[], body: unknown, maybeStored: boolean): void {
    const results = (body as { results?: Result[] } | null)?.results;
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw new Error(`ingestion answered 202 without one result per event: ${detailOf(body)}`);
    }
    for (const result of results) {
      const event = batch[result.index];
      this.tally.add(event.type, 'sent');
      if (result.status === 'accepted' || (result.status === 'duplicate' && maybeStored)) {
        this.tally.add(event.type, 'accepted');
      } else if (result.status === 'duplicate') {
        this.tally.add(event.type, 'duplicates');
      } else {
        this.tally.add(event.type, 'rejected');
        this.note(event, (result.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; '));
      }
    }
  }

  /**
   * /v1/batch: how many calls were published, and the errors of the others by path
   * (`batch[3].event`). A call without an error was published, or JetStream held it already.
   */
  private countCalls(batch: GeneratedEvent[], body: unknown): void {
    const answer = body as { accepted?: unknown; invalid?: unknown; errors?: unknown } | null;
    const errors = Array.isArray(answer?.errors) ? (answer.errors as FieldError[]) : [];
    const refused = new Map<number, string[]>();
    for (const { path, message } of errors) {
      const match = /^batch\[(\d+)\]\.?/.exec(String(path));
      const index = Number(match?.[1]);
      if (!match || index >= batch.length) continue;
      const field = String(path).slice(match[0].length) || '(call)';
      refused.set(index, [...(refused.get(index) ?? []), `${field}: ${message}`]);
    }
    if (answer?.invalid !== refused.size || answer?.accepted !== batch.length - refused.size) {
      throw new Error(
        `ingestion answered 200 without accounting for each of ${batch.length} calls: ${detailOf(body)}`,
      );
    }
    batch.forEach((event, index) => {
      this.tally.add(event.type, 'sent');
      const reasons = refused.get(index);
      if (!reasons) return this.tally.add(event.type, 'accepted');
      this.tally.add(event.type, 'rejected');
      this.note(event, reasons.join('; '));
    });
  }

  private rejectAll(batch: GeneratedEvent[], body: unknown): void {
    for (const event of batch) {
      this.tally.add(event.type, 'sent');
      this.tally.add(event.type, 'rejected');
    }
    const [first] = ((body as { errors?: unknown } | null)?.errors ?? []) as FieldError[];
    const example = first ? ` (first: ${first.path}: ${first.message})` : '';
    this.note(batch[0], `${detailOf(body)}${example}`);
  }

  private note(event: GeneratedEvent, reason: string): void {
    if (this.problems.length < 10)
      this.problems.push(`${event.type} ${event.external_id}: ${reason}`);
  }

  private keyError(status: number, body: unknown): Error {
    const key = keyName(this.options.apiKey);
    const problem =
      status === 401
        ? `ingestion at ${this.options.baseUrl} does not know the API key ${key} (401: ${detailOf(body)}); check the key`
        : `the API key ${key} may not send events (403: ${detailOf(body)}); it needs the "ingest" scope`;
    return new Error(problem);
  }
}

/** A key as an error may name it: `rk_<tenant>_…`, never its 32-character secret. */
function keyName(key: string): string {
  return key.startsWith('rk_') && key.length > 36 ? `${key.slice(0, -32)}…` : `${key.slice(0, 4)}…`;
}

/** A problem document's detail, or the start of whatever else came back. */
function detailOf(body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  return (typeof body === 'string' ? body : JSON.stringify(body ?? null)).slice(0, 200);
}
