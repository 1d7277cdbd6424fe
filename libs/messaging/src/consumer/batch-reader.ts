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
    const deadline = Date.now() + this.waitMs;
    while (batch.length < this.size) {
      const result = await this.takeWithin(deadline - Date.now());
      if (result === undefined) break;
      if (result.done) {
        this.ended = true;
        break;
      }
      batch.push(result.value);
    }
    return batch;
  }

  private take(): Promise<IteratorResult<T>> {
    const pending = this.pending ?? this.iterator.next();
    this.pending = undefined;
    return pending;
  }

  private async takeWithin(ms: number): Promise<IteratorResult<T> | undefined> {
    const pending = this.pending ?? this.iterator.next();
    this.pending = pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))),
    );
    const result = await Promise.race([pending, timeout]);
    clearTimeout(timer);
    if (result !== undefined) this.pending = undefined;
    return result;
  }
}
