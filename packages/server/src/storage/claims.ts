import { randomUUID } from "node:crypto";

import type { ClaimedRun } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely } from "kysely";

import type { Dialect } from "./database.js";
import { deploymentVersions } from "./deployment-repository.js";
import { CLAIMABLE_RUNS } from "./migrations.js";
import { toRun } from "./run-rows.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database>;

/** States of a run a worker holds: claimed and not finished. */
export const HELD_STATES = ["Pending", "Running", "Retrying", "AwaitingRetry", "Cancelling"] as const;

/** How many more candidates than asked a claim reads, for runs its concurrency limits pass over. */
const EXTRA_CANDIDATES = 100;

/** How many runs of each limited deployment of `pool` may still start (absent: no limit). */
async function remainingCapacity(db: Db, dialect: Dialect, pool: string): Promise<Map<string, number>> {
  let limited = db
    .selectFrom("deployments")
    .select(["id", "concurrency_limit"])
    .where("work_pool", "=", pool)
    .where("concurrency_limit", "is not", null)
    .orderBy("id");
  // Claims of one pool's limited deployments take turns, so that two replicas never both see room.
  if (dialect === "postgres") limited = limited.forUpdate();
  const rows = await limited.execute();
  const remaining = new Map<string, number>();
  if (rows.length === 0) return remaining;
  const held = await db
    .selectFrom("runs")
    .select(["deployment_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where(
      "deployment_id",
      "in",
      rows.map((r) => r.id),
    )
    .where("worker_id", "is not", null)
    .where("state", "in", [...HELD_STATES])
    .groupBy("deployment_id")
    .execute();
  for (const r of rows)
    remaining.set(
      r.id,
      (r.concurrency_limit ?? 0) - Number(held.find((h) => h.deployment_id === r.id)?.n ?? 0),
    );
  return remaining;
}

/**
 * Claims up to `limit` due runs of `pool` for `workerId`, oldest slot first, within each
 * deployment's concurrency limit: they become `Pending` with the worker's id. On PostgreSQL the
 * candidates are locked `for update skip locked`, so concurrent claims (any replica) take disjoint
 * runs; on SQLite the single connection runs one claim at a time. Call inside a transaction.
 */
export async function claimRuns(
  db: Db,
  dialect: Dialect,
  pool: string,
  workerId: string,
  limit: number,
  now: number,
): Promise<ClaimedRun[]> {
  const remaining = await remainingCapacity(db, dialect, pool);
  const full = [...remaining].filter(([, n]) => n <= 0).map(([id]) => id);
  let candidates = db
    .selectFrom("runs")
    .select(["id", "deployment_id", "state"])
    .where(sql.raw<boolean>(CLAIMABLE_RUNS))
    .where("work_pool", "=", pool)
    .where("scheduled_for", "<=", now)
    .orderBy("scheduled_for")
    .orderBy("id")
    .limit(limit + (remaining.size > 0 ? EXTRA_CANDIDATES : 0));
  if (full.length > 0) candidates = candidates.where("deployment_id", "not in", full);
  if (dialect === "postgres") candidates = candidates.forUpdate().skipLocked();
  const picked: { id: string; state: string }[] = [];
  for (const c of await candidates.execute()) {
    if (picked.length >= limit) break;
    const left = remaining.get(c.deployment_id ?? "");
    if (left !== undefined) {
      if (left <= 0) continue;
      remaining.set(c.deployment_id ?? "", left - 1);
    }
    picked.push(c);
  }
  if (picked.length === 0) return [];
  const ids = picked.map((p) => p.id);
  const message = `Claimed by worker ${workerId}.`;
  const claimed = await db
    .updateTable("runs")
    .set({
      worker_id: workerId,
      claimed_at: now,
      state: "Pending",
      state_message: message,
      state_time: now,
      last_heartbeat_at: now,
    })
    .where("id", "in", ids)
    .returningAll()
    .execute();
  const moved = picked.filter((p) => p.state !== "Pending").map((p) => p.id);
  if (moved.length > 0)
    await db
      .insertInto("run_states")
      .values(
        moved.map((runId) => ({
          id: randomUUID(),
          run_id: runId,
          // After the run's last entry (read by this statement, under the claim's lock of the run).
          position: db
            .selectFrom("run_states")
            .select(sql<number>`coalesce(max(position), -1) + 1`.as("position"))
            .where("run_id", "=", runId),
          type: "Pending",
          message,
          timestamp: now,
          origin: null,
        })),
      )
      .execute();
  const order = new Map(ids.map((id, i) => [id, i]));
  const rows = claimed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const specs = await deploymentVersions(
    db,
    rows.map((r) => ({ id: r.deployment_id ?? "", version: r.deployment_version ?? 0 })),
  );
  return rows.flatMap((row) => {
    const deployment = specs.get(`${row.deployment_id}/${row.deployment_version}`);
    return deployment === undefined ? [] : [{ run: toRun(row), deployment }];
  });
}

/** When the next unclaimed run of `pool` becomes due (epoch ms), if any is waiting. */
export async function nextDueAt(db: Db, pool: string, now: number): Promise<number | undefined> {
  const row = await db
    .selectFrom("runs")
    .select((eb) => eb.fn.min("scheduled_for").as("at"))
    .where(sql.raw<boolean>(CLAIMABLE_RUNS))
    .where("work_pool", "=", pool)
    .where("scheduled_for", ">", now)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
}

/** The runs of a worker with a cancel request (state Cancelling), and when each was requested. */
export async function cancelRequests(db: Db, workerId: string): Promise<{ id: string; at: number }[]> {
  const rows = await db
    .selectFrom("runs")
    .select(["id", "cancel_requested_at"])
    .where("worker_id", "=", workerId)
    .where("state", "=", "Cancelling")
    .execute();
  return rows.map((r) => ({ id: r.id, at: r.cancel_requested_at ?? 0 }));
}
