import type { RunLogger } from "./logger.js";
import type { RunOptions } from "./run-options.js";
import type { ContextSeed } from "./run-spec.js";
import type { Runnable } from "./runnable.js";
import { defineRunnable } from "./runnable.js";

/** Options of {@link task}. */
export type TaskOptions<P> = RunOptions<P>;

/** A task: call it inside a flow; each call is a task run. */
export interface Task<P, R> extends Runnable<P, R, TaskOptions<P>> {
  readonly taskName: string;
}

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

/**
 * Wraps a function as a task. Called inside a flow, each call is a task run (with its own states, retries
 * and timeout) of that flow run; its states are batched, so a task run costs no round trip to the server.
 * Called outside of any flow it is a plain call (retries and timeout apply, nothing is recorded).
 * @example
 * const score = task({ name: "score", retries: 3, retryDelayMs: exponentialBackoff() },
 *   async (text: string) => model.predictOne(text));
 */
export function task<P = void, R = void>(
  options: TaskOptions<P>,
  fn: (params: P, ctx: TaskContext) => Promise<R> | R,
): Task<P, R> {
  const taskName = options.name;
  const call = async (params: P, seed: ContextSeed, attempt: number): Promise<R> => {
    const { runId, runName, flowRunId, logger, signal } = seed;
    return fn(params, { runId, taskName, runName, flowRunId, attempt, logger, signal });
  };
  return defineRunnable({ kind: "task", options, call }, { taskName });
}
