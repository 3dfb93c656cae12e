/**
 * An unbounded single-consumer async queue. Flow control happens upstream (a subscriber holds at
 * most `maxInFlight` unacknowledged events), so the queue itself never grows past that.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiter: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: unknown;
  readonly #onReturn: () => Promise<void>;

  constructor(onReturn: () => Promise<void>) {
    this.#onReturn = onReturn;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#failWaiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.#items.push(item);
  }

  /** Ends iteration after the queued items; with `error`, the iterator throws it instead. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (error !== undefined) {
      this.#items = [];
      this.#head = 0;
    }
    const waiter = this.#waiter;
    const fail = this.#failWaiter;
    this.#waiter = undefined;
    this.#failWaiter = undefined;
    if (error !== undefined && fail) fail(error);
    else if (waiter) waiter({ value: undefined, done: true });
  }

  /** Drops queued items (they were never handed out) and returns them. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head] as T;
      this.#head++;
      // Handed-out items must not stay referenced: an event kept alive here survives garbage
      // collections (and keeps its frame or socket buffer alive) long after it was acknowledged.
      if (this.#head === this.#items.length) {
        this.#items.length = 0;
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      if (this.#error !== undefined)
        return Promise.reject(
          this.#error instanceof Error
            ? this.#error
            : new Error("subscription failed", { cause: this.#error }),
        );
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async (): Promise<IteratorResult<T>> => {
        await this.#onReturn();
        return { value: undefined, done: true };
      },
    };
  }
}
