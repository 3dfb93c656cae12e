/**
 * The one retry policy of Weir's clients (`@weir/stream`, its backend packages and `@weir/flow`):
 * exponential backoff with jitter, every duration in milliseconds. A separate entry point
 * (`@weir/protocol/retry`) without zod, so that the stream client can load it.
 */

/** Options of {@link exponentialBackoff}, all durations in milliseconds. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 1000 */
  readonly initialDelayMs?: number;
  /** Multiplier between consecutive retries. @default 2 */
  readonly factor?: number;
  /** Upper bound of a delay, before jitter. @default 60000 */
  readonly maxDelayMs?: number;
  /** Random spread as a fraction of the delay: 0.2 means ±20 %. @default 0.2 */
  readonly jitter?: number;
}

/**
 * A retry delay function: `initialDelayMs · factor^(retry − 1)`, capped at `maxDelayMs`, spread by
 * ±`jitter` so that many clients retrying together do not hit the server at the same instant.
 * `retry` counts from 1 (the first retry).
 *
 * @example
 * const delay = exponentialBackoff({ initialDelayMs: 50, maxDelayMs: 1000, jitter: 0.5 });
 * await sleep(delay(attempt));
 */
export function exponentialBackoff(options: BackoffOptions = {}): (retry: number) => number {
  const { initialDelayMs = 1000, factor = 2, maxDelayMs = 60_000, jitter = 0.2 } = options;
  return (retry: number) => {
    const raw = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, retry - 1));
    return Math.max(0, raw + raw * jitter * (2 * Math.random() - 1));
  };
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts.
 * `unref` lets the process exit while it waits.
 *
 * @example await sleep(1000, ctx.signal);
 */
export function sleep(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (options.unref === true) timer.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
