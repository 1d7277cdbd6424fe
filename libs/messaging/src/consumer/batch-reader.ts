/**
 * Takes up to `size` items from an async iterator: waits for the first, then at most
 * `waitMs` for the rest. A pull still pending when the wait ends is kept for the next batch,
 * so no item is skipped.
 */
export class BatchReader<T> {
  private pending?: Promise<IteratorResult<T>>;
  private ended = false;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    private readonly size: number,
    private readonly waitMs: number,
  ) {}

  async next(): Promise<T[] | undefined> {
    if (this.ended) return undefined;
    const first = await this.take();
    if (first.done) {
      this.ended = true;
      return undefined;
    }
    const batch = [first.value];
    // One timer per batch: the rest of the batch races the same deadline.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), this.waitMs)),
    );
    try {
      while (batch.length < this.size) {
        const pending = this.pending ?? this.iterator.next();
        this.pending = pending;
        const result = await Promise.race([pending, deadline]);
        if (result === undefined) break;
        this.pending = undefined;
        if (result.done) {
          this.ended = true;
          break;
        }
        batch.push(result.value);
      }
    } finally {
      clearTimeout(timer);
    }
    return batch;
  }

  private take(): Promise<IteratorResult<T>> {
    const pending = this.pending ?? this.iterator.next();
    this.pending = undefined;
    return pending;
  }
}
