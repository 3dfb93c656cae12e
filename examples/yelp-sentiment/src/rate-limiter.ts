/**
 * Paces a loop at `rate` events per second: `await limiter.wait()` before each event. Keeps an
 * absolute schedule (event i is due at start + i/rate), so a late event does not slow the ones
 * after it, and the average rate stays exact.
 *
 * @example
 * const limiter = new RateLimiter(100);
 * for (const row of rows) { await limiter.wait(signal); send(row); }
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private start = 0;
  private count = 0;

  constructor(rate: number) {
    this.intervalMs = 1000 / rate;
  }

  /** Resolves when the next event is due (at once when behind); resolves early when aborted. */
  async wait(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    if (this.count === 0) this.start = now;
    const due = this.start + this.count * this.intervalMs;
    this.count += 1;
    const delay = due - now;
    if (delay < 1 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
