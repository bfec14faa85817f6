/**
 * A single-consumer queue that is an async iterable: producers `push`, then `end()` (the
 * iteration finishes after what was pushed) or `fail(error)` (the iteration throws it after what
 * was pushed). `finished` settles when the queue is ended or failed. Leaving a `for await` early
 * (break/return) ends the queue.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private waitingFail: ((error: unknown) => void) | undefined;
  private state: 'open' | 'ended' | 'failed' = 'open';
  private error: unknown;
  private settle!: () => void;
  readonly finished: Promise<void> = new Promise((resolve) => (this.settle = resolve));

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.state !== 'open') return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      this.waitingFail = undefined;
      waiting({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.settle();
    const waiting = this.waiting;
    this.waiting = undefined;
    this.waitingFail = undefined;
    waiting?.({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = error;
    this.settle();
    const fail = this.waitingFail;
    this.waiting = undefined;
    this.waitingFail = undefined;
    fail?.(error);
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      // Compact once the consumed part dominates, so a long-lived queue does not grow forever.
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.state === 'ended') return Promise.resolve({ value: undefined, done: true });
    if (this.state === 'failed') return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.waitingFail = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
