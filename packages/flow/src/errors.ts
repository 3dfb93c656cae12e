/**
 * Every error `@weir/flow` throws. Each has a `name`, a stable `code` and (where there is one) a `cause`;
 * the message says what was wrong and what to do.
 */
export type WeirFlowErrorCode =
  | "WEIR_FLOW_CONFIG"
  | "WEIR_FLOW_NOT_IN_RUN"
  | "WEIR_FLOW_INVALID_ARGUMENT"
  | "WEIR_FLOW_INVALID_PARAMETERS"
  | "WEIR_FLOW_TIMED_OUT"
  | "WEIR_FLOW_CANCELLED"
  | "WEIR_FLOW_API"
  | "WEIR_FLOW_CHECKPOINT";

/**
 * Base class of the errors of `@weir/flow`.
 * @example
 * try { await myFlow(params); } catch (e) { if (e instanceof WeirFlowError) console.error(e.code); }
 */
export class WeirFlowError extends Error {
  readonly code: WeirFlowErrorCode;
  constructor(code: WeirFlowErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WeirFlowError";
    this.code = code;
  }
}

/**
 * A configuration value (option or environment variable) is invalid.
 * @example
 * configure({ apiUrl: "not a url" }); // throws WeirConfigError
 */
export class WeirConfigError extends WeirFlowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_FLOW_CONFIG", message, options);
    this.name = "WeirConfigError";
  }
}

/**
 * Something that needs a running flow (e.g. `logMetric`) was called outside of one.
 * @example
 * logMetric("precision", 0.5); // outside a flow: throws WeirNotInRunError
 */
export class WeirNotInRunError extends WeirFlowError {
  constructor(what: string) {
    super(
      "WEIR_FLOW_NOT_IN_RUN",
      `${what} was called outside of a flow run. Call it from inside a function wrapped with flow() or task() ` +
        `(AsyncLocalStorage carries the run through awaits, timers and callbacks started inside it).`,
    );
    this.name = "WeirNotInRunError";
  }
}

/**
 * An argument is malformed (a metric name with spaces, an artifact key with capitals, a negative step…).
 * These are programming errors, so they throw at the call instead of being dropped later by the server.
 * @example
 * logMetric("my precision", 0.5); // throws WeirArgumentError: use letters, digits and _ . : / -
 */
export class WeirArgumentError extends WeirFlowError {
  constructor(message: string) {
    super("WEIR_FLOW_INVALID_ARGUMENT", message);
    this.name = "WeirArgumentError";
  }
}

/**
 * The parameters of a flow or task did not pass its `parameters` schema. The run is recorded Failed.
 * @example
 * const f = flow({ name: "f", parameters: z.object({ n: z.number() }) }, async ({ n }) => n);
 * await f({ n: "1" } as never); // throws WeirParameterError
 */
export class WeirParameterError extends WeirFlowError {
  constructor(name: string, cause: unknown) {
    super(
      "WEIR_FLOW_INVALID_PARAMETERS",
      `The parameters of "${name}" are invalid: ${describe(cause)}. Pass parameters that match its schema.`,
      { cause },
    );
    this.name = "WeirParameterError";
  }
}

/**
 * A run exceeded its `timeoutMs`. Its `ctx.signal` was aborted with this error and it ended TimedOut.
 * @example
 * const f = flow({ name: "slow", timeoutMs: 1000 }, async (_: void, ctx) => sleep(5000, ctx.signal));
 * await f(); // throws WeirTimeoutError
 */
export class WeirTimeoutError extends WeirFlowError {
  readonly timeoutMs: number;
  /** `message` replaces the default text (e.g. for a worker's `timeoutSeconds`). */
  constructor(name: string, timeoutMs: number, message?: string) {
    super(
      "WEIR_FLOW_TIMED_OUT",
      message ??
        `"${name}" did not finish within timeoutMs=${timeoutMs}. Raise timeoutMs or make the ` +
          `function stop when ctx.signal is aborted.`,
    );
    this.name = "WeirTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A run was cancelled: through the API (UI, `weir runs cancel`, `POST /api/runs/:id/cancel`), by
 * SIGINT/SIGTERM, or a new run was started while the process was shutting down.
 * @example
 * ctx.signal.addEventListener("abort", () => { if (ctx.signal.reason instanceof WeirCancelledError) cleanUp(); });
 */
export class WeirCancelledError extends WeirFlowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_FLOW_CANCELLED", message, options);
    this.name = "WeirCancelledError";
  }
}

/**
 * The Weir server answered a request with an error, or could not be reached for a request that cannot be
 * spooled (checkpoints).
 * @example
 * catch (e) { if (e instanceof WeirApiError) console.error(e.status, e.serverCode); }
 */
export class WeirApiError extends WeirFlowError {
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  constructor(message: string, options: { status?: number; serverCode?: string; cause?: unknown } = {}) {
    super("WEIR_FLOW_API", message, { cause: options.cause });
    this.name = "WeirApiError";
    this.status = options.status;
    this.serverCode = options.serverCode;
  }
}

/**
 * A checkpoint could not be saved or loaded (server unreachable for longer than `checkpointTimeoutMs`,
 * a version conflict, or a value that is not JSON).
 * @example
 * try { await ctx.checkpoint.save("model", state); } catch (e) { if (e instanceof WeirCheckpointError) retryLater(); }
 */
export class WeirCheckpointError extends WeirFlowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEIR_FLOW_CHECKPOINT", message, options);
    this.name = "WeirCheckpointError";
  }
}

/** A one-line description of any thrown value, for state messages and error messages. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
