import { STATE_TYPES } from "@weir/protocol";
import type { FlowSummary, Run, StateCounts, StateType } from "@weir/protocol";
import { sql } from "kysely";
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

/** A window `[from, from + count · bucketMs)` on `sort_time`, cut into `count` buckets. */
export interface BucketWindow {
  from: number;
  bucketMs: number;
  count: number;
}

/**
 * Runs of a kind counted per time bucket and state, by the database: a grouped scan of the
 * `(kind, state, sort_time)` index ranges of the window, whatever the number of runs. Integer
 * division gives the bucket on both engines.
 */
export async function countByBucket(
  db: Db,
  kind: "flow" | "task",
  window: BucketWindow,
): Promise<{ bucket: number; state: string; n: number }[]> {
  const { from, bucketMs, count } = window;
  // Integer literals (validated integers, never text from a request): with bound parameters SQLite
  // would divide as REAL, and PostgreSQL could not match the GROUP BY expression to the select's.
  const bucket = sql<number>`(sort_time - ${sql.lit(from)}) / ${sql.lit(bucketMs)}`;
  const rows = await db
    .selectFrom("runs")
    .select([bucket.as("bucket"), "state", (eb) => eb.fn.countAll<number>().as("n")])
    .where("kind", "=", kind)
    // Every state: no filter, but it lets the (kind, state, sort_time) index cover the query, so the
    // scan never visits the table's rows.
    .where("state", "in", [...STATE_TYPES])
    .where("sort_time", ">=", from)
    .where("sort_time", "<", from + count * bucketMs)
    .groupBy([sql`bucket`, "state"])
    .execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), state: r.state, n: Number(r.n) }));
}

/** The oldest `sort_time` of a kind's runs, or `undefined` when there are none. */
export async function oldestRunTime(db: Db, kind: "flow" | "task"): Promise<number | undefined> {
  const row = await db
    .selectFrom("runs")
    .select("sort_time")
    .where("kind", "=", kind)
    .orderBy("sort_time", "asc")
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.sort_time);
}
