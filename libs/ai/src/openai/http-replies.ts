/** What an OpenAI-compatible server's replies and failures are read with, chat and embeddings alike. */
const EXCERPT_CHARS = 300;

/** A reply's text on one line, cut short: enough for an error message to say what came back. */
export const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat || '(empty)';
};

// Duck-typed: fetch's errors (a DOMException among them) may come from another realm, where
// `instanceof Error` is false.
export function asError(
  value: unknown,
): { name: string; message: string; cause?: unknown } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, message, cause } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof message === 'string'
    ? { name, message, cause }
    : undefined;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why a request to `url` got no answer: a timeout, or fetch's reason with its cause. */
export function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const failure = asError(error);
  if (failure?.name === 'TimeoutError') return `no answer from ${url} within ${timeoutMs} ms`;
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, DNS...) in `cause`.
  const reason = [failure?.message ?? String(error), asError(failure?.cause)?.message]
    .filter(Boolean)
    .join(': ');
  return `request to ${url} failed: ${reason}`;
}
