/**
 * Retries of flows and tasks: `retryDelayMs` says how long to wait before each retry. The backoff and
 * `sleep` are Weir's one retry policy (`@weir/protocol/retry`), shared with `@weir/stream`; every
 * duration is in milliseconds.
 */
export { exponentialBackoff, sleep } from "@weir/protocol/retry";
export type { BackoffOptions } from "@weir/protocol/retry";

/** Milliseconds to wait before a retry: one number, one number per retry, or a function of the retry number (1-based). */
export type RetryDelay = number | readonly number[] | ((retry: number) => number);

/**
 * Milliseconds to wait before retry number `retry` (1-based) under `delay`. A list repeats its last entry.
 * @example
 * retryDelayFor([1000, 5000, 30_000], 4); // 30000
 */
export function retryDelayFor(delay: RetryDelay | undefined, retry: number): number {
  if (delay === undefined) return 0;
  if (typeof delay === "number") return Math.max(0, delay);
  if (typeof delay === "function") return Math.max(0, delay(retry));
  if (delay.length === 0) return 0;
  return Math.max(0, delay[Math.min(retry, delay.length) - 1] ?? 0);
}
