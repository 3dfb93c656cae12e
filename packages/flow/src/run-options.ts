import { WeirArgumentError } from "./errors.js";
import type { RetryDelay } from "./retry-policy.js";
import type { RunNameOption } from "./run-names.js";

/** The final states a run can end in. */
export type FinalStateType = "Completed" | "Failed" | "TimedOut" | "Crashed" | "Cancelled";

/** What a hook receives. */
export interface RunHookEvent<P = unknown> {
  kind: "flow" | "task";
  /** The flow or task name. */
  name: string;
  runId: string;
  runName: string;
  parameters: P;
  state: FinalStateType;
  /** The state message (the error for Failed, the reason for Cancelled/TimedOut/Crashed). */
  message: string | undefined;
  /** The thrown value, for Failed/TimedOut/Cancelled. */
  error: unknown;
  /** The returned value, for Completed. */
  result: unknown;
  /** Attempts made (1 + retries used). */
  attempts: number;
}

/** A state hook; errors it throws are logged to the run and otherwise ignored. */
export type RunHook<P = unknown> = (event: RunHookEvent<P>) => void | Promise<void>;

/**
 * A parameter schema: anything with `parse` (a zod schema, a hand-written validator) that returns the
 * parameters or throws, or a Standard Schema (https://standardschema.dev: zod, valibot, arktype…) whose
 * `validate` answers synchronously. A schema that also implements Standard JSON Schema (zod 4 does) is
 * sent to the server as JSON Schema by `deploy()`, which then checks parameters before a run starts.
 */
export type ParameterSchema<P> = { parse(input: unknown): P } | StandardParameterSchema<P>;

/** The part of the Standard Schema v1 interface (and Standard JSON Schema) that Weir uses. */
export interface StandardParameterSchema<P> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    validate(value: unknown):
      | { readonly value: P; readonly issues?: undefined }
      | {
          readonly issues: ReadonlyArray<{
            readonly message: string;
            readonly path?: ReadonlyArray<unknown>;
          }>;
        }
      | Promise<unknown>;
    readonly jsonSchema?: { input(options: { target: string }): Record<string, unknown> };
  };
}

/** Options shared by `flow()` and `task()`. */
export interface RunOptions<P> {
  /** Flow or task name, shown on the dashboard and used as the checkpoint scope of a flow. */
  name: string;
  /** What it does; every run of it carries this text (shown with the run on the dashboard). */
  description?: string;
  /** Version of the code, recorded on each run. */
  version?: string;
  /** Tags recorded on each run (filterable on the dashboard and `GET /api/runs?tag=`). */
  tags?: string[];
  /** How many times a failed attempt is retried. Timeouts and cancellations are not retried. @default 0 */
  retries?: number;
  /** Milliseconds before each retry: a number, a list (one per retry, last repeats) or a function, e.g. `exponentialBackoff()`. @default 0 */
  retryDelayMs?: RetryDelay;
  /** Time limit of an attempt, in ms: `ctx.signal` is aborted with a WeirTimeoutError and the run ends TimedOut. @default no limit */
  timeoutMs?: number;
  /** Turn `console.*` calls inside the run into run logs (they still print). Tasks inherit it from their flow. @default false */
  logPrints?: boolean;
  /** Validates (and may transform) the parameters before the run; failure → WeirParameterError, run Failed. */
  parameters?: ParameterSchema<P>;
  /** Run name: a template (`"{flowName}-{date}"`, `{time}`, `{random}`, `{runId}`, `{<param>}`) or a function. @default a readable random name (flows), `<task>-<n>` (tasks) */
  runName?: RunNameOption<P>;
  onCompletion?: RunHook<P> | RunHook<P>[];
  onFailure?: RunHook<P> | RunHook<P>[];
  onCrashed?: RunHook<P> | RunHook<P>[];
  onCancellation?: RunHook<P> | RunHook<P>[];
}

/**
 * Checks the options the server would refuse (so that the mistake shows at definition time, not as
 * dropped runs later). Internal.
 */
export function validateRunOptions<P>(kind: "flow" | "task", options: RunOptions<P>): void {
  const where = `${kind}({ name: ${JSON.stringify(options.name)} })`;
  if (typeof options.name !== "string" || options.name.length === 0 || options.name.length > 200) {
    throw new WeirArgumentError(`${where}: name must be a string of 1–200 characters.`);
  }
  if (options.tags !== undefined) {
    if (
      options.tags.length > 50 ||
      options.tags.some((t) => typeof t !== "string" || t.length === 0 || t.length > 100)
    ) {
      throw new WeirArgumentError(`${where}: tags must be at most 50 strings of 1–100 characters.`);
    }
  }
  if (
    options.version !== undefined &&
    (typeof options.version !== "string" || options.version.length > 100)
  ) {
    throw new WeirArgumentError(`${where}: version must be a string of at most 100 characters.`);
  }
  for (const [key, value] of [
    ["retries", options.retries],
    ["timeoutMs", options.timeoutMs],
  ] as const) {
    if (value !== undefined && !(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
      throw new WeirArgumentError(`${where}: ${key} must be a non-negative number.`);
    }
  }
}
