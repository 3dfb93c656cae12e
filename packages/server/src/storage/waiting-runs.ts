import type { Kysely } from "kysely";

import type { Database } from "./schema.js";

type Db = Kysely<Database>;

/**
 * Deletes a deployment's schedule slots that no worker has claimed yet (Scheduled or Late): on
 * pause, delete and redeploy they must not start, and the scheduler makes them anew on resume or
 * from the new version. They never ran, so nothing of them is worth keeping. Returns how many.
 * Call inside a transaction.
 */
export async function dropWaitingSlots(db: Db, deploymentId: string): Promise<number> {
  const rows = await db
    .selectFrom("runs")
    .select(["id", "flow_name"])
    .where("deployment_id", "=", deploymentId)
    .where("slot", "is not", null)
    .where("worker_id", "is", null)
    .where("state", "in", ["Scheduled", "Late"])
    .execute();
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.deleteFrom("run_states").where("run_id", "in", chunk).execute();
    await db.deleteFrom("run_tags").where("run_id", "in", chunk).execute();
    await db.deleteFrom("runs").where("id", "in", chunk).execute();
  }
  const flows = new Map<string, number>();
  for (const r of rows) flows.set(r.flow_name, (flows.get(r.flow_name) ?? 0) + 1);
  for (const [name, count] of flows) {
    const last = await db
      .selectFrom("runs")
      .select(["id", "sort_time"])
      .where("kind", "=", "flow")
      .where("flow_name", "=", name)
      .orderBy("sort_time", "desc")
      .limit(1)
      .executeTakeFirst();
    await db
      .updateTable("flows")
      .set((eb) => ({
        run_count: eb("run_count", "-", count),
        last_run_id: last?.id ?? null,
        last_run_at: last?.sort_time ?? null,
      }))
      .where("name", "=", name)
      .execute();
  }
  return rows.length;
}
