import { STATE_TYPES } from "@weir/protocol";
import type { FlowSummary, Run, StateCounts, StateType } from "@weir/protocol";
import type { Kysely } from "kysely";

import { iso } from "./cursor.js";
import { toRun } from "./run-rows.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database>;

const MAX_FLOWS = 1000;

/** Every flow (most recently run first) with its run count and last run. */
export async function listFlows(db: Db): Promise<FlowSummary[]> {
  const flows = await db
    .selectFrom("flows")
    .selectAll()
    .orderBy("last_run_at", "desc")
    .limit(MAX_FLOWS)
    .execute();
  const ids = flows.map((f) => f.last_run_id).filter((id): id is string => id !== null);
  const runs = new Map<string, Run>();
  if (ids.length > 0) {
    const rows = await db.selectFrom("runs").selectAll().where("id", "in", ids).execute();
    for (const row of rows) runs.set(row.id, toRun(row));
  }
  return flows.map((f) => ({
    name: f.name,
    runCount: Number(f.run_count),
    lastRunAt: iso(f.last_run_at),
    lastRun: (f.last_run_id !== null ? runs.get(f.last_run_id) : undefined) ?? null,
  }));
}

function emptyCounts(): StateCounts {
  return Object.fromEntries(STATE_TYPES.map((s) => [s, 0])) as StateCounts;
}

/** Run counts per kind and state, optionally within a window on start time. */
export async function countByState(
  db: Db,
  since: number | undefined,
  until: number | undefined,
): Promise<{ flow: StateCounts; task: StateCounts }> {
  let query = db
    .selectFrom("runs")
    .select(["kind", "state", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["kind", "state"]);
  if (since !== undefined) query = query.where("sort_time", ">=", since);
  if (until !== undefined) query = query.where("sort_time", "<=", until);
  const rows = await query.execute();
  const out = { flow: emptyCounts(), task: emptyCounts() };
  for (const row of rows) {
    const bucket = row.kind === "task" ? out.task : out.flow;
    if (row.state in bucket) bucket[row.state as StateType] = Number(row.n);
  }
  return out;
}

/** The latest failed, crashed or timed-out flow runs. */
export async function recentFailures(
  db: Db,
  since: number | undefined,
  until: number | undefined,
): Promise<Run[]> {
  let query = db
    .selectFrom("runs")
    .selectAll()
    .where("kind", "=", "flow")
    .where("state", "in", ["Failed", "Crashed", "TimedOut"]);
  if (since !== undefined) query = query.where("sort_time", ">=", since);
  if (until !== undefined) query = query.where("sort_time", "<=", until);
  const rows = await query.orderBy("sort_time", "desc").limit(10).execute();
  return rows.map(toRun);
}
