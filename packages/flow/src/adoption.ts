import { WeirConfigError } from "./errors.js";

/**
 * A run created on the server before its process started (a deployment's run, started by a worker):
 * the first top-level flow call of the process adopts it instead of creating a new run.
 */
export interface AdoptedRun {
  readonly runId: string;
  /** The name the server gave the run (kept instead of a new one). */
  readonly runName: string | undefined;
  /** When the worker's hard timeout fires (epoch ms); the run times out in-process at the same instant. */
  readonly deadlineAt: number | undefined;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let taken = false;
let deadlineAt: number | undefined;

/**
 * The run this process was started for (`WEIR_RUN_ID`, with `WEIR_RUN_NAME` and `WEIR_RUN_DEADLINE`, set
 * by `weir worker`), handed out once: later flow calls create their own runs. The variables are removed
 * from `process.env` so that processes the flow starts do not adopt the run too. Internal.
 * @example
 * const adopted = takeAdoptedRun(); // { runId: "…", runName: "busy-otter", deadlineAt: 1767… } or undefined
 */
export function takeAdoptedRun(env: NodeJS.ProcessEnv = process.env): AdoptedRun | undefined {
  if (taken) return undefined;
  taken = true;
  const runId = env.WEIR_RUN_ID;
  if (runId === undefined || runId === "") return undefined;
  if (!ID.test(runId)) {
    throw new WeirConfigError(
      `WEIR_RUN_ID="${runId}" is not a run id (a UUID). It is set by \`weir worker\`; unset it to start a new run.`,
    );
  }
  const deadline = env.WEIR_RUN_DEADLINE;
  const at = deadline === undefined || deadline === "" ? undefined : Date.parse(deadline);
  if (at !== undefined && Number.isNaN(at)) {
    throw new WeirConfigError(`WEIR_RUN_DEADLINE="${deadline}" is not an ISO timestamp.`);
  }
  deadlineAt = at;
  const runName = env.WEIR_RUN_NAME || undefined;
  delete env.WEIR_RUN_ID;
  delete env.WEIR_RUN_NAME;
  delete env.WEIR_RUN_DEADLINE;
  return { runId, runName, deadlineAt: at };
}

/**
 * Why a worker's SIGTERM came: its hard timeout (the adopted run's deadline has passed) or a cancel
 * request. Internal.
 */
export function workerStopCause(now = Date.now()): "TimedOut" | "Cancelled" {
  // The worker's timer and this check read the same clock; 50 ms covers a timer that fired early.
  return deadlineAt !== undefined && now >= deadlineAt - 50 ? "TimedOut" : "Cancelled";
}
