import { TERMINAL_STATES } from "@weir/protocol";
import type { Kysely } from "kysely";

import type { Database } from "./schema.js";

type Db = Kysely<Database>;

const BATCH = 500;

/** What one retention pass deleted. */
export interface RetentionResult {
  runs: number;
  logs: number;
  metrics: number;
}

/**
 * Deletes what is older than `cutoff` (epoch ms), in small transactions so that ingest keeps
 * flowing: finished runs that ended before it (with their history, tags, logs, metrics and
 * artifacts), and the old logs and metrics of runs that are still going (a never-ending stream
 * consumer keeps its run but not its logs from last month).
 */
export async function deleteOlderThan(db: Db, cutoff: number): Promise<RetentionResult> {
  const result: RetentionResult = { runs: 0, logs: 0, metrics: 0 };
  for (;;) {
    const ids = (
      await db
        .selectFrom("runs")
        .select("id")
        .where("end_time", "<", cutoff)
        .where("state", "in", [...TERMINAL_STATES])
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.transaction().execute(async (trx) => {
      const logs = await trx.deleteFrom("logs").where("run_id", "in", ids).executeTakeFirst();
      const metrics = await trx.deleteFrom("metrics").where("run_id", "in", ids).executeTakeFirst();
      await trx.deleteFrom("run_states").where("run_id", "in", ids).execute();
      await trx.deleteFrom("run_tags").where("run_id", "in", ids).execute();
      await trx.deleteFrom("artifacts").where("run_id", "in", ids).execute();
      const runs = await trx.deleteFrom("runs").where("id", "in", ids).executeTakeFirst();
      result.logs += Number(logs.numDeletedRows);
      result.metrics += Number(metrics.numDeletedRows);
      result.runs += Number(runs.numDeletedRows);
    });
  }
  const live = await db
    .selectFrom("runs")
    .select("id")
    .where("sort_time", "<", cutoff)
    .where("state", "not in", [...TERMINAL_STATES])
    .execute();
  for (const { id } of live) {
    await db.transaction().execute(async (trx) => {
      const logs = await trx
        .deleteFrom("logs")
        .where("run_id", "=", id)
        .where("timestamp", "<", cutoff)
        .executeTakeFirst();
      const metrics = await trx
        .deleteFrom("metrics")
        .where("run_id", "=", id)
        .where("timestamp", "<", cutoff)
        .executeTakeFirst();
      result.logs += Number(logs.numDeletedRows);
      result.metrics += Number(metrics.numDeletedRows);
    });
  }
  if (result.runs > 0) await recountFlows(db);
  return result;
}

/** Recomputes the per-flow run counts after deletions. */
async function recountFlows(db: Db): Promise<void> {
  const counts = await db
    .selectFrom("runs")
    .select(["flow_name", (eb) => eb.fn.countAll<number>().as("n")])
    .where("kind", "=", "flow")
    .groupBy("flow_name")
    .execute();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("flows").set({ run_count: 0 }).execute();
    for (const c of counts)
      await trx
        .updateTable("flows")
        .set({ run_count: Number(c.n) })
        .where("name", "=", c.flow_name)
        .execute();
  });
}
