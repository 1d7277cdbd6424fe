import { BatchReader } from './batch-reader';

/** An async iterator fed by the test: items arrive when pushed. */
function feed<T>() {
  const queue: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  const iterator: AsyncIterator<T> = {
    next: () => {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() as T });
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
  };
  return {
    iterator,
    push(...items: T[]) {
      for (const item of items) {
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ done: false, value: item });
        } else queue.push(item);
      }
    },
    end() {
      done = true;
      waiting?.({ done: true, value: undefined });
    },
  };
}

describe('BatchReader', () => {
  it('takes what is there, up to the batch size', async () => {
    const source = feed<number>();
    source.push(1, 2, 3, 4, 5);
    const reader = new BatchReader(source.iterator, 3, 20);
    expect(await reader.next()).toEqual([1, 2, 3]);
    expect(await reader.next()).toEqual([4, 5]);
  });

  it('keeps an item that arrives after the wait for the next batch', async () => {
    const source = feed<number>();
    source.push(1);
    const reader = new BatchReader(source.iterator, 10, 10);
    expect(await reader.next()).toEqual([1]);
    source.push(2);
    expect(await reader.next()).toEqual([2]);
  });

  it('ends when the source ends', async () => {
    const source = feed<number>();
    const reader = new BatchReader(source.iterator, 10, 10);
    source.push(1);
    source.end();
    expect(await reader.next()).toEqual([1]);
    expect(await reader.next()).toBeUndefined();
  });
});
