import type { ApiClient, ApiResponse } from "./api-client.js";
import { apiErrorFrom, isRetryableStatus } from "./api-client.js";
import { describe } from "./errors.js";
import { exponentialBackoff, sleep } from "./retry-policy.js";

const backoff = exponentialBackoff({ initialDelayMs: 200, maxDelayMs: 5000 });

/** What {@link requestWithRetry} needs besides the request itself. Internal. */
export interface RetryingRequest {
  /** Names the call in error messages, e.g. `Saving checkpoint "flow/model"`. */
  readonly what: string;
  /** How long to keep retrying an unreachable or overloaded server, in ms. */
  readonly timeoutMs: number;
  /** The option that sets `timeoutMs`, named in the error message (e.g. "checkpointTimeoutMs"). */
  readonly timeoutName: string;
  /** Builds the error thrown once `timeoutMs` is over. */
  readonly giveUp: (message: string, cause: unknown) => Error;
  /** Stops the request and the waits between retries (rejecting with its reason). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Sends one request that cannot be spooled (checkpoints, model versions): network failures and
 * retryable statuses (5xx, 408, 429) are retried with the shared backoff until `timeoutMs`; any
 * other answer is returned for the caller to judge. Internal.
 */
export async function requestWithRetry(
  api: ApiClient,
  request: RetryingRequest,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const { what, timeoutMs, signal } = request;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      const response = await api.request(method, path, body, signal);
      if (!isRetryableStatus(response.status)) return response;
      failure = apiErrorFrom(what, response);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      failure = error;
    }
    const delay = backoff(attempt);
    if (Date.now() + delay > deadline) {
      throw request.giveUp(
        `${what} could not be done within ${request.timeoutName}=${timeoutMs}: ` +
          `${describe(failure).replace(/\.+$/, "")}. Check that the Weir server is running (WEIR_API_URL) ` +
          `or raise ${request.timeoutName}.`,
        failure,
      );
    }
    await sleep(delay, signal);
  }
}
