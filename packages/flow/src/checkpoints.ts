import type { ApiClient, ApiResponse } from "./api-client.js";
import { apiErrorFrom, JsonText } from "./api-client.js";
import { WeirArgumentError, WeirCheckpointError } from "./errors.js";
import { requestWithRetry } from "./retrying-request.js";

/** A stored checkpoint. */
export interface CheckpointEntry<T> {
  value: T;
  /** Increases by one on each save; pass it as `expectedVersion` for compare-and-set. */
  version: number;
  updatedAt: string;
}

/**
 * Checkpoints of a flow, stored on the server atomically under the flow's name, so that a restarted process
 * (or the next run) finds them. Unlike logs they are not spooled: `save` resolves only once the server
 * stored the value, which is what exactly-once processing needs. While the server is unreachable they
 * retry (shared backoff policy) for up to `checkpointTimeoutMs`, then throw WeirCheckpointError.
 * They are not cut short by the run's signal: work finished before a cancel, a timeout or Ctrl-C
 * can still be checkpointed on the way out (only `checkpointTimeoutMs` bounds that).
 * @example
 * const saved = await ctx.checkpoint.load<{ offset: number }>("state");
 * await ctx.checkpoint.save("state", { offset: 42 });
 */
export interface CheckpointStore {
  save<T>(key: string, value: T, options?: { expectedVersion?: number }): Promise<{ version: number }>;
  load<T>(key: string): Promise<T | undefined>;
  entry<T>(key: string): Promise<CheckpointEntry<T> | undefined>;
}

const CHECKPOINT_KEY = /^[\w.:-]{1,200}$/;

/** The checkpoint store of one scope (a flow name). Internal. */
export function createCheckpointStore(api: ApiClient, scope: string, timeoutMs: number): CheckpointStore {
  // The server accepts letters, digits and _ . : - in scopes; a flow name with other characters maps onto them.
  const safeScope = scope.replace(/[^\w.:-]/g, "-").slice(0, 200);
  const pathOf = (key: string): string => {
    if (!CHECKPOINT_KEY.test(key)) {
      throw new WeirArgumentError(
        `Checkpoint key "${key}" is invalid: use 1–200 letters, digits and _ . : - (e.g. "model").`,
      );
    }
    return `/checkpoints/${encodeURIComponent(safeScope)}/${encodeURIComponent(key)}`;
  };

  const send = (what: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    requestWithRetry(
      api,
      {
        what,
        timeoutMs,
        timeoutName: "checkpointTimeoutMs",
        giveUp: (message, cause) => new WeirCheckpointError(message, { cause }),
      },
      method,
      path,
      body,
    );

  return {
    async save(key, value, options = {}) {
      const what = `Saving checkpoint "${scope}/${key}"`;
      let body: JsonText;
      try {
        const text = JSON.stringify(
          options.expectedVersion === undefined
            ? { value }
            : { value, expectedVersion: options.expectedVersion },
        );
        if (!text.startsWith('{"value":')) throw new Error("the value serializes to nothing");
        body = new JsonText(text);
      } catch (cause) {
        throw new WeirCheckpointError(
          `${what} failed: the value is not JSON-serializable. Save plain data.`,
          { cause },
        );
      }
      const response = await send(what, "PUT", pathOf(key), body);
      if (response.status === 409) {
        throw new WeirCheckpointError(
          `${what} failed: expectedVersion ${options.expectedVersion} is not the stored version (another process ` +
            "saved it meanwhile). Load it again and retry.",
          { cause: apiErrorFrom(what, response) },
        );
      }
      if (response.status >= 300)
        throw new WeirCheckpointError(`${what} failed.`, { cause: apiErrorFrom(what, response) });
      const version = (response.body as { version?: unknown } | undefined)?.version;
      return { version: typeof version === "number" ? version : 0 };
    },
    async load<T>(key: string) {
      return (await this.entry<T>(key))?.value;
    },
    async entry<T>(key: string) {
      const what = `Loading checkpoint "${scope}/${key}"`;
      const response = await send(what, "GET", pathOf(key));
      if (response.status === 404) return undefined;
      if (response.status >= 300)
        throw new WeirCheckpointError(`${what} failed.`, { cause: apiErrorFrom(what, response) });
      return response.body as CheckpointEntry<T>;
    },
  };
}
