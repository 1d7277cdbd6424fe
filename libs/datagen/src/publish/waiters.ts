interface Waiter {
  ready: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Promises that settle once a condition holds, or reject once the publisher has failed. */
export class Waiters {
  private waiting: Waiter[] = [];

  until(ready: () => boolean, failure: Error | undefined): Promise<void> {
    if (failure) return Promise.reject(failure);
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ ready, resolve, reject }));
  }

  /** Call after anything that may change a condition. */
  check(failure: Error | undefined): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiting) {
      if (failure) waiter.reject(failure);
      else if (waiter.ready()) waiter.resolve();
      else still.push(waiter);
    }
    this.waiting = still;
  }
}
