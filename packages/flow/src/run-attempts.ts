import type { RetryDelay } from "./retry-policy.js";
import { retryDelayFor, sleep } from "./retry-policy.js";

/** What one attempt came to: the loop's result (success or an end that is not retried), or a failure it may retry. */
export type AttemptResult<T, F> = { done: T } | { failed: F };

/** How many attempts, how far apart, and what stops the wait between them. */
export interface RetryPlan {
  /** Retries after the first attempt; fractions round down, negatives count as 0. @default 0 */
  retries?: number | undefined;
  /** @default 0 */
  retryDelayMs?: RetryDelay | undefined;
  /** Aborting it ends the wait before a retry (see {@link RetryEvents.interrupted}). */
  signal?: AbortSignal | undefined;
}

/** What the loop reports to its caller between attempts. `F` is the caller's record of a failed attempt. */
export interface RetryEvents<T, F> {
  /** Attempt `attempt` of `retries + 1` failed; the next one starts in `delayMs`. */
  waiting(failure: F, attempt: number, retries: number, delayMs: number): void;
  /** The wait is over: attempt `attempt` of `retries + 1` starts now. */
  resuming?(attempt: number, retries: number): void;
  /** The last allowed attempt failed: what the loop returns (or throws). */
  exhausted(failure: F): T | Promise<T>;
  /** The plan's signal aborted during a wait. Without it, the abort reason is thrown. */
  interrupted?(failure: F, reason: unknown): T | Promise<T>;
}

/**
 * The retry loop of flow and task runs, recorded or not: runs `attempt(1)`, `attempt(2)`, … until one is
 * done or the retries are used up, waiting the plan's delay (`retryDelayFor`) in between. It knows
 * nothing of runs: what counts as retryable and what gets recorded is the caller's, so both run paths
 * share one loop (and one place to change the retry policy).
 * @example
 * const value = await runAttempts({ retries: 2 }, async () => ({ done: 42 }), {
 *   waiting: () => undefined,
 *   exhausted: (error) => { throw error; },
 * });
 */
export async function runAttempts<T, F>(
  plan: RetryPlan,
  attempt: (attempt: number) => Promise<AttemptResult<T, F>>,
  events: RetryEvents<T, F>,
): Promise<T> {
  const retries = Math.max(0, Math.floor(plan.retries ?? 0));
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if ("done" in result) return result.done;
    if (n > retries) return events.exhausted(result.failed);
    const delayMs = retryDelayFor(plan.retryDelayMs, n);
    events.waiting(result.failed, n, retries, delayMs);
    try {
      await sleep(delayMs, plan.signal);
    } catch (reason) {
      if (events.interrupted === undefined) throw reason;
      return events.interrupted(result.failed, reason);
    }
    events.resuming?.(n + 1, retries);
  }
}
