/** A service's answer: its status, and its body parsed (null when it has none). */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** A JSON request with an API key, as a client of a service's HTTP API sends it. */
export async function apiCall<T>(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

/** apiCall for a request that must succeed: the body, or an error naming the answer. */
export async function apiOk<T>(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await apiCall<T>(base, key, method, path, body);
  if (res.status >= 300)
    throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
