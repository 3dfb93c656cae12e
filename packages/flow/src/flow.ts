import type { Artifacts } from "./artifacts.js";
import { createArtifacts } from "./artifacts.js";
import type { CheckpointStore } from "./checkpoints.js";
import { createCheckpointStore } from "./checkpoints.js";
import { installConsoleCapture } from "./console-capture.js";
import type { RunLogger } from "./logger.js";
import { executeRun } from "./run-engine.js";
import type { RunOptions } from "./run-options.js";
import { validateRunOptions } from "./run-options.js";
import { getRuntime } from "./runtime.js";

/** Options of {@link flow}: the common run options plus liveness. */
export interface FlowOptions<P> extends RunOptions<P> {
  /** How often a Running flow run sends a heartbeat; the server marks it Crashed after 3 missed intervals. @default 10 */
  heartbeatIntervalSeconds?: number;
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
}

/** Call arguments: the parameters are optional when the flow takes none. */
export type ParamsArgs<P> = [P] extends [void]
  ? [params?: P]
  : undefined extends P
    ? [params?: P]
    : [params: P];

/** A flow: call it to run it; each call is one recorded flow run. */
export interface Flow<P, R> {
  (...args: ParamsArgs<P>): Promise<R>;
  readonly flowName: string;
  readonly options: Readonly<FlowOptions<P>>;
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
  validateRunOptions("flow", options);
  if (options.logPrints) installConsoleCapture();
  const run = (...args: ParamsArgs<P>): Promise<R> =>
    executeRun<P, R>(
      {
        kind: "flow",
        options,
        ...(options.heartbeatIntervalSeconds === undefined
          ? {}
          : { heartbeatIntervalSeconds: options.heartbeatIntervalSeconds }),
        call: async (params, seed, attempt) => {
          const rt = getRuntime();
          const ctx: FlowContext = {
            runId: seed.runId,
            flowName: options.name,
            runName: seed.runName,
            attempt,
            logger: seed.logger,
            signal: seed.signal,
            checkpoint: createCheckpointStore(
              rt.api,
              options.name,
              rt.config.checkpointTimeoutSeconds,
              seed.signal,
            ),
            artifacts: createArtifacts(rt.reporter, seed.runId),
          };
          return fn(params, ctx);
        },
      },
      args[0] as P,
    );
  return Object.assign(run, { flowName: options.name, options });
}
