import fc from 'fast-check';
import type { HostileBody } from './hostile-bodies';

/** A request to send, and what the API must answer. */
export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  refuse: boolean;
  /** The JSON value sent, when the body is one. */
  json?: unknown;
}

export interface HttpTarget {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  /** A key that passes authentication, and the header that carries it. */
  key: string;
  keyHeader: string;
}

/**
 * Requests carrying those bodies, mostly as a well-behaved client sends them; some with a
 * content type that is not JSON, a charset the API cannot read, no key or a wrong one, all of
 * which must be refused. Those without a valid key come with `auth: false`: an API may slow
 * down an address after failed authentications, so send them last.
 */
export function hostileHttpRequests(
  bodies: fc.Arbitrary<HostileBody>,
  target: HttpTarget,
  { auth = true }: { auth?: boolean } = {},
): fc.Arbitrary<FuzzRequest> {
  const request = (
    body: HostileBody,
    headers: Record<string, string>,
    refuse: boolean,
    kind: string,
  ) => ({
    kind: `${body.kind}${kind}`,
    method: target.method,
    path: target.path,
    headers,
    body: body.bytes ?? JSON.stringify(body.json),
    refuse: body.refuse || refuse,
    ...(body.bytes ? {} : { json: body.json }),
  });
  const keyed = { [target.keyHeader]: target.key };
  if (!auth) {
    return fc
      .tuple(
        bodies,
        fc.option(
          fc
            .string({ minLength: 1, maxLength: 80 })
            .filter((k) => k.trim() !== '' && /^[\x21-\x7e]+$/.test(k)),
        ),
      )
      .map(([body, key]) =>
        request(
          body,
          {
            'content-type': 'application/json',
            ...(key === null ? {} : { [target.keyHeader]: key }),
          },
          true,
          key === null ? ' (no key)' : ' (wrong key)',
        ),
      );
  }
  return fc.oneof(
    {
      weight: 12,
      arbitrary: bodies.map((b) =>
        request(b, { 'content-type': 'application/json', ...keyed }, false, ''),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          bodies,
          fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', ''),
        )
        .map(([b, type]) =>
          request(
            b,
            { ...(type ? { 'content-type': type } : {}), ...keyed },
            true,
            ` (content type "${type}")`,
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(bodies, fc.constantFrom('utf-16', 'latin-x', 'ebcdic'))
        .map(([b, charset]) =>
          request(
            b,
            { 'content-type': `application/json; charset=${charset}`, ...keyed },
            true,
            ` (charset ${charset})`,
          ),
        ),
    },
  );
}

/** Sends a request; never throws for what the server answers. */
export async function sendRequest(
  baseUrl: string,
  request: FuzzRequest,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Kept as text: the status says what matters.
  }
  return { status: res.status, body };
}

/** Runs `task` over `items`, at most `limit` at a time; results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A fast-check reporter that fails with the property's own message and what replays it, not
 * with the counterexample: hostile bodies can be megabytes.
 */
export function conciseReport<Ts>(details: fc.RunDetails<Ts>): void {
  if (!details.failed) return;
  const error = details.errorInstance;
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(
    `${message}\n(replay with { seed: ${details.seed}, path: "${details.counterexamplePath}" })`,
  );
}

/**
 * Sends `parallel` generated requests at once, `runs` times, and hands each answer to
 * `judge`, which throws when the answer is wrong; a failure reports only how to replay it.
 */
export function fuzzOverHttp<R extends FuzzRequest>(
  baseUrl: string,
  cases: fc.Arbitrary<R>,
  options: { runs: number; parallel: number },
  judge: (request: R, status: number, body: unknown) => void,
): Promise<void> {
  const { runs, parallel } = options;
  return fc.assert(
    fc.asyncProperty(
      fc.array(cases, { minLength: parallel, maxLength: parallel }),
      async (requests) => {
        const answers = await inParallel(requests, parallel, (r) => sendRequest(baseUrl, r));
        requests.forEach((r, i) => judge(r, answers[i].status, answers[i].body));
      },
    ),
    { numRuns: runs, endOnFailure: true, reporter: conciseReport },
  );
}
