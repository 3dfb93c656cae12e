import { installConsoleCapture } from "./console-capture.js";
import type { ParamsArgs } from "./flow.js";
import type { RunLogger } from "./logger.js";
import { executeRun } from "./run-engine.js";
import type { RunOptions } from "./run-options.js";
import { validateRunOptions } from "./run-options.js";

/** Options of {@link task}. */
export type TaskOptions<P> = RunOptions<P>;

/** The second argument of a task function. */
export interface TaskContext {
  runId: string;
  taskName: string;
  runName: string;
  /** The flow run the task runs in ("" when called outside of a flow). */
  flowRunId: string;
  attempt: number;
  logger: RunLogger;
  /** Aborted on timeout and when the enclosing flow run is cancelled or times out. */
  signal: AbortSignal;
}

/** A task: call it inside a flow; each call is a task run. */
export interface Task<P, R> {
  (...args: ParamsArgs<P>): Promise<R>;
  readonly taskName: string;
  readonly options: Readonly<TaskOptions<P>>;
}

/**
 * Wraps a function as a task. Called inside a flow, each call is a task run (with its own states, retries
 * and timeout) of that flow run; its states are batched, so a task run costs no round trip to the server.
 * Called outside of any flow it is a plain call (retries and timeout apply, nothing is recorded).
 * @example
 * const score = task({ name: "score", retries: 3, retryDelaySeconds: exponentialBackoff() },
 *   async (text: string) => model.predictOne(text));
 */
export function task<P = void, R = void>(
  options: TaskOptions<P>,
  fn: (params: P, ctx: TaskContext) => Promise<R> | R,
): Task<P, R> {
  validateRunOptions("task", options);
  if (options.logPrints) installConsoleCapture();
  const run = (...args: ParamsArgs<P>): Promise<R> =>
    executeRun<P, R>(
      {
        kind: "task",
        options,
        call: async (params, seed, attempt) =>
          fn(params, {
            runId: seed.runId,
            taskName: options.name,
            runName: seed.runName,
            flowRunId: seed.flowRunId,
            attempt,
            logger: seed.logger,
            signal: seed.signal,
          }),
      },
      args[0] as P,
    );
  return Object.assign(run, { taskName: options.name, options });
}
