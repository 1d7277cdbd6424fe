import { generateSeedSet } from '@refinery/ai';

/** An event as `POST /v1/events` takes it. */
export interface HttpEvent {
  type: string;
  source: string;
  external_id: string;
  occurred_at: string;
  data: unknown;
}

/** What ingestion answers for a batch. */
export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  results: { index: number; id?: string; status: string }[];
}

/**
 * `size` orders and exceptions of the seed set (seeded by `seed`) as HTTP events, their
 * external ids `<prefix>-<i>`: unique per prefix, the same each time it is asked for.
 */
export function seedEvents(
  prefix: string,
  size: number,
  seed: number,
  source = 'test',
): HttpEvent[] {
  return generateSeedSet({ seed, size }).map((example, i) => ({
    type: example.record.recordType,
    source,
    external_id: `${prefix}-${i}`,
    occurred_at: new Date().toISOString(),
    data: example.record.payload,
  }));
}

export interface PostOptions {
  /**
   * Send the same batch again this long after a failure of the server's side (5xx, no answer),
   * as a client does, to the next of the URLs; without it, any answer but 202 throws.
   */
  retryMs?: number;
  timeoutMs?: number;
  /** Told of each failed attempt before the next: the status, 0 for no answer. */
  onRetry?: (status: number) => void;
}

/**
 * POSTs one batch to `/v1/events` of the first URL (then the next ones in turn on a retry);
 * resolves with ingestion's answer once it took the batch. A 4xx always throws: that is the
 * caller's fault, not an outage.
 */
export async function postEvents(
  urls: string | readonly string[],
  apiKey: string,
  events: readonly HttpEvent[],
  { retryMs, timeoutMs = 30_000, onRetry }: PostOptions = {},
): Promise<BatchAnswer> {
  const targets = typeof urls === 'string' ? [urls] : urls;
  const body = JSON.stringify({ events });
  for (let attempt = 0; ; attempt++) {
    const url = targets[attempt % targets.length];
    const answer = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }))
      .catch((error: unknown) => ({ status: 0, body: String(error) }));
    if (answer.status === 202) return answer.body as BatchAnswer;
    const outage = answer.status === 0 || answer.status >= 500;
    if (retryMs === undefined || !outage) {
      throw new Error(`${url}/v1/events -> ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    onRetry?.(answer.status);
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
