import type { Artifacts } from "./artifacts.js";
import { createArtifacts } from "./artifacts.js";
import type { CheckpointStore } from "./checkpoints.js";
import { createCheckpointStore } from "./checkpoints.js";
import type { RunLogger } from "./logger.js";
import type { ModelRegistry } from "./models.js";
import { createModelRegistry } from "./models.js";
import type { RunOptions } from "./run-options.js";
import { parametersJsonSchema } from "./run-parameters.js";
import type { ContextSeed } from "./run-spec.js";
import type { Runnable } from "./runnable.js";
import { defineRunnable } from "./runnable.js";
import { getRuntime } from "./runtime.js";

export type { ParamsArgs } from "./runnable.js";

/** Options of {@link flow}: the common run options plus liveness. */
export interface FlowOptions<P> extends RunOptions<P> {
  /** How often a Running flow run sends a heartbeat, in ms; the server marks it Crashed after 3 missed intervals. @default 10000 */
  heartbeatIntervalMs?: number;
}

/** A flow: call it to run it; each call is one recorded flow run. */
export interface Flow<P, R> extends Runnable<P, R, FlowOptions<P>> {
  readonly flowName: string;
  /** The file (URL or path) of the module that called `flow()`: `deploy()` finds the entrypoint with it. */
  readonly definedIn: string | undefined;
  /** The JSON Schema of its `parameters` schema (draft-07), if that schema can give one (zod 4 can). */
  readonly parametersJsonSchema: () => Record<string, unknown> | undefined;
}

/** The second argument of a flow function. */
export interface FlowContext {
  runId: string;
  flowName: string;
  runName: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  logger: RunLogger;
  /** Aborted on timeout (reason WeirTimeoutError) and on SIGINT/SIGTERM (reason WeirCancelledError). */
  signal: AbortSignal;
  checkpoint: CheckpointStore;
  artifacts: Artifacts;
  /** Publishes model versions made by this run (see `publishModel`). */
  models: ModelRegistry;
}

/** The context of one attempt: the seed plus the flow's checkpoint store and artifacts. */
function flowContext(flowName: string, seed: ContextSeed, attempt: number): FlowContext {
  const rt = getRuntime();
  const { runId, runName, logger, signal } = seed;
  const timeoutMs = rt.config.checkpointTimeoutMs;
  return {
    runId,
    flowName,
    runName,
    attempt,
    logger,
    signal,
    checkpoint: createCheckpointStore(rt.api, flowName, timeoutMs),
    artifacts: createArtifacts(rt.reporter, runId),
    models: createModelRegistry(runId),
  };
}

/**
 * Wraps a function as a monitored flow. Each call is a flow run with states, parameters, logs, metrics,
 * artifacts and heartbeats reported to the Weir server (batched; spooled to disk while the server is
 * down). A flow called inside a flow is a child run. The promise resolves with the function's result or
 * rejects with its error (after retries), a WeirTimeoutError or a WeirCancelledError.
 * @example
 * export const runPublisher = flow({ name: "run-yelp-data-publisher", logPrints: true, retries: 2 },
 *   async (params: { path: string }, ctx) => { ctx.logger.info(`reading ${params.path}`); return 42; });
 * const published = await runPublisher({ path: "reviews.csv" });
 */
export function flow<P = void, R = void>(
  options: FlowOptions<P>,
  fn: (params: P, ctx: FlowContext) => Promise<R> | R,
): Flow<P, R> {
  const { name, heartbeatIntervalMs } = options;
  const call = async (params: P, seed: ContextSeed, attempt: number): Promise<R> =>
    fn(params, flowContext(name, seed, attempt));
  return defineRunnable(
    { kind: "flow", options, heartbeatIntervalMs, call },
    {
      flowName: name,
      definedIn: callerFile(),
      parametersJsonSchema: () => parametersJsonSchema(options.parameters),
    },
  );
}

/** The file of the first stack frame outside this one: the module that called `flow()`. */
function callerFile(): string | undefined {
  const files = (new Error().stack ?? "")
    .split("\n")
    .slice(1)
    .map((line) => /\(?((?:file:\/\/|\/)[^()]*?):\d+:\d+\)?$/.exec(line.trim())?.[1]);
  const own = files[0];
  return files.find((f) => f !== undefined && f !== own);
}
