/**
 * A map that forgets: at most `capacity` entries (the least recently used go first), each
 * for its own time to live. Keeps a flood of unknown keys from growing memory.
 */
export class TtlLru<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Looked-up values (null for "not there"), each kept for its own time, with one lookup per
 * key at a time however many callers wait on it.
 */
export class LookupCache<V> {
  private readonly entries: TtlLru<string, V | null>;
  private readonly inFlight = new Map<string, Promise<V | null>>();

  constructor(
    capacity: number,
    private readonly ttl: { found: number; missing: number },
  ) {
    this.entries = new TtlLru(capacity);
  }

  get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const loading = load()
      .then((value) => {
        this.entries.set(key, value, value ? this.ttl.found : this.ttl.missing);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }
}
