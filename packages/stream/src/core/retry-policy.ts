import { StreamTimeoutError } from "../errors.js";

/** Exponential backoff with full jitter, shared by every retrying call site of the package. */
export interface RetryPolicy {
  /** @default 50 */
  readonly initialDelayMs: number;
  /** @default 1000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 50, maxDelayMs: 1000 };

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Sleeps `ms`, rejecting early with the signal's reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
    policy?: RetryPolicy;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!options.isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(n, options.policy);
      if (Date.now() + delay > deadline)
        throw new StreamTimeoutError(options.what, options.timeoutMs, { cause: error });
      await sleep(delay, options.signal);
    }
  }
}
