/**
 * The one retry policy of `@weir/flow`: how long to wait before attempt n, with exponential backoff and
 * jitter. Flow/task retries and the reporter's reconnects both use it.
 */

/** Seconds to wait before a retry: one number, one number per retry, or a function of the retry number (1-based). */
export type RetryDelay = number | readonly number[] | ((retry: number) => number);

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Delay before the first retry, in seconds. @default 1 */
  base?: number;
  /** Multiplier between consecutive retries. @default 2 */
  factor?: number;
  /** Upper bound of a delay, in seconds (before jitter). @default 60 */
  max?: number;
  /** Random spread as a fraction of the delay: 0.2 means ±20 %. @default 0.2 */
  jitter?: number;
}

/**
 * A retry delay function: `base * factor^(retry-1)`, capped at `max`, spread by ±`jitter` so that many
 * clients retrying together do not hit the server at the same instant.
 * @example
 * flow({ name: "fetch-data", retries: 5, retryDelaySeconds: exponentialBackoff({ base: 1, max: 30 }) }, fn);
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): (retry: number) => number {
  const { base = 1, factor = 2, max = 60, jitter = 0.2 } = options;
  return (retry: number) => {
    const raw = Math.min(max, base * factor ** Math.max(0, retry - 1));
    const spread = raw * jitter * (2 * Math.random() - 1);
    return Math.max(0, raw + spread);
  };
}

/**
 * Seconds to wait before retry number `retry` (1-based) under `delay`. A list repeats its last entry.
 * @example
 * retryDelayFor([1, 5, 30], 4); // 30
 */
export function retryDelayFor(delay: RetryDelay | undefined, retry: number): number {
  if (delay === undefined) return 0;
  if (typeof delay === "number") return Math.max(0, delay);
  if (typeof delay === "function") return Math.max(0, delay(retry));
  if (delay.length === 0) return 0;
  return Math.max(0, delay[Math.min(retry, delay.length) - 1] ?? 0);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts.
 * @example
 * await sleep(1000, ctx.signal);
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
    if (options.unref) timer.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
