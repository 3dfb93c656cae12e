import { exponentialBackoff, sleep } from "@weir/protocol/retry";

import { StreamTimeoutError } from "../errors.js";

export { sleep } from "@weir/protocol/retry";

/**
 * Delay in ms before reconnect attempt `attempt` (1-based): Weir's one backoff policy
 * (`@weir/protocol/retry`), tuned for a broker that is usually back within a second — 50 ms
 * doubling up to 1 s, ±50 %.
 */
export const backoffDelay: (attempt: number) => number = exponentialBackoff({
  initialDelayMs: 50,
  maxDelayMs: 1000,
  jitter: 0.5,
});

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or `timeoutMs` passes.
 * @example await retry(() => open(url), { what: "Connecting", timeoutMs: 10_000, isRetryable: (e) => … });
 */
export async function retry<T>(
  attempt: () => Promise<T>,
  options: {
    what: string;
    timeoutMs: number;
    isRetryable: (error: unknown) => boolean;
    signal?: AbortSignal | undefined;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!options.isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(n);
      if (Date.now() + delay > deadline)
        throw new StreamTimeoutError(options.what, options.timeoutMs, { cause: error });
      await sleep(delay, options.signal);
    }
  }
}
