import { randomUUID } from "node:crypto";

import { exponentialBackoff } from "@weir/protocol/retry";
import type { Run, StateType } from "@weir/protocol";
import type { Kysely } from "kysely";

import { findDeployment } from "../storage/deployment-repository.js";
import { insertRuns } from "../storage/run-creation.js";
import type { Database } from "../storage/schema.js";
import type { WorkQueue } from "./work-queue.js";

const FAILURES = new Set<StateType>(["Failed", "Crashed", "TimedOut"]);

/**
 * Whether a run that ended is restarted under `mode`: `on-failure` after Failed, Crashed or TimedOut,
 * `always` after any end; never after a cancel requested through Weir (UI, CLI, API). A run Cancelled
 * without such a request was stopped by a signal (its worker shut down, someone killed its process):
 * an interruption, restarted like a crash.
 */
function restartsAfter(mode: "never" | "on-failure" | "always", run: Run): boolean {
  const interrupted = run.state === "Cancelled" && run.cancelRequestedAt === null;
  if (mode === "never" || (run.state === "Cancelled" && !interrupted)) return false;
  return mode === "always" || interrupted || FAILURES.has(run.state);
}

/**
 * The restart policy, run inside the transaction that ends a run of a deployment: when the policy
 * asks for it, a new `Pending` run of the deployment's current version with the same parameters,
 * linked by `restartOf`, due after `initialDelayMs · 2^(n−1)` (±20 %, capped at `maxDelayMs`) for
 * the n-th restart in a row. A run that ran at least `maxDelayMs` before it ended starts the count
 * anew (it was healthy for a while). At most `maxRestarts` in a row; none for a paused or deleted
 * deployment. A unique index on `restart_of` makes a second restart of the same run impossible.
 * Returns the run it created (or none).
 */
export async function restartIfDue(
  trx: Kysely<Database>,
  dialect: "sqlite" | "postgres",
  queue: WorkQueue,
  run: Run,
): Promise<Run[]> {
  if (run.deploymentId === null || run.kind !== "flow") return [];
  const found = await findDeployment(trx, run.deploymentId, dialect);
  if (found === undefined || found.row.paused === 1) return [];
  const { mode, initialDelayMs, maxDelayMs, maxRestarts } = found.record.restartPolicy;
  if (!restartsAfter(mode, run)) return [];
  const row = await trx
    .selectFrom("runs")
    .select(["restart_count", "start_time", "end_time"])
    .where("id", "=", run.id)
    .executeTakeFirst();
  const ranFor = row?.start_time != null && row.end_time != null ? row.end_time - row.start_time : 0;
  const count = ranFor >= maxDelayMs ? 1 : (row?.restart_count ?? 0) + 1;
  if (maxRestarts !== null && count > maxRestarts) return [];
  const taken = await trx.selectFrom("runs").select("id").where("restart_of", "=", run.id).executeTakeFirst();
  if (taken !== undefined) return [];
  const delay = exponentialBackoff({ initialDelayMs, maxDelayMs })(count);
  const now = Date.now();
  const { created } = await insertRuns(
    trx,
    [
      {
        id: randomUUID(),
        kind: "flow",
        flowName: found.record.flowName,
        parameters: run.parameters,
        tags: run.tags,
        state: "Pending",
        deployment: {
          id: found.row.id,
          version: found.row.version,
          workPool: found.row.work_pool,
          scheduledFor: now + Math.round(delay),
          slot: false,
          timeoutSeconds: found.record.timeoutSeconds,
          restartOf: run.id,
          restartCount: count,
        },
      },
    ],
    now,
  );
  await queue.notify(trx, [{ pool: found.row.work_pool }]);
  return created;
}
