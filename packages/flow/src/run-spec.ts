import type { RunLogger } from "./logger.js";
import type { RunOptions } from "./run-options.js";

/** What `flow()`/`task()` hand to the run engine. Internal. */
export interface RunSpec<P, R> {
  kind: "flow" | "task";
  options: RunOptions<P>;
  heartbeatIntervalMs?: number;
  /** Calls the user function with a context built from the seed. */
  call(params: P, seed: ContextSeed, attempt: number): Promise<R>;
}

/** What a flow/task context is built from. Internal. */
export interface ContextSeed {
  runId: string;
  runName: string;
  /** The enclosing flow run (empty for a task called outside of a flow). */
  flowRunId: string;
  signal: AbortSignal;
  logger: RunLogger;
}
