import type { WorkPool, Worker, workerHeartbeatSchema } from "@weir/protocol";
import { isTerminalState } from "@weir/protocol";
import type { StateType } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { HELD_STATES } from "./claims.js";
import { iso } from "./cursor.js";
import { CLAIMABLE_RUNS } from "./migrations.js";
import type { Database, WorkersTable } from "./schema.js";

type Db = Kysely<Database>;
type Heartbeat = z.output<typeof workerHeartbeatSchema>;

/** How many heartbeat intervals of silence make a worker offline. */
export const WORKER_MISSED_HEARTBEATS = 3;

/** Stores a worker's heartbeat (server receipt time): it is online from now on. */
export async function recordWorkerHeartbeat(db: Db, beat: Heartbeat, now: number): Promise<void> {
  const values = {
    name: beat.name,
    pool: beat.pool,
    run_limit: beat.limit,
    heartbeat_interval_ms: beat.heartbeatIntervalMs,
    last_heartbeat_at: now,
    status: "online",
  };
  await db
    .insertInto("workers")
    .values({ id: beat.workerId, created_at: now, ...values })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
}

/**
 * The runs a worker must stop: those with a cancel request, and those it says it runs that the
 * server has ended or given to another worker (e.g. Crashed while it was cut off, then restarted).
 */
export async function runsToStop(db: Db, workerId: string, running: readonly string[]): Promise<string[]> {
  const stop = new Set<string>();
  const cancelling = await db
    .selectFrom("runs")
    .select("id")
    .where("worker_id", "=", workerId)
    .where("state", "=", "Cancelling")
    .execute();
  for (const r of cancelling) stop.add(r.id);
  for (let i = 0; i < running.length; i += 1000) {
    const rows = await db
      .selectFrom("runs")
      .select(["id", "state", "worker_id"])
      .where("id", "in", running.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      if (r.worker_id !== workerId || isTerminalState(r.state as StateType)) stop.add(r.id);
  }
  return [...stop];
}

/**
 * Gives back runs a worker claimed over `graceMs` ago but no longer lists as its own while they are
 * still Pending (the claim's answer never reached it): another worker may claim them. Returns them.
 */
export async function releaseLostClaims(
  db: Db,
  workerId: string,
  running: readonly string[],
  before: number,
): Promise<string[]> {
  let query = db
    .selectFrom("runs")
    .select("id")
    .where("worker_id", "=", workerId)
    .where("state", "=", "Pending")
    .where("claimed_at", "<", before);
  if (running.length > 0) query = query.where("id", "not in", [...running]);
  const lost = (await query.limit(1000).execute()).map((r) => r.id);
  if (lost.length > 0)
    await db
      .updateTable("runs")
      .set({
        worker_id: null,
        claimed_at: null,
        state_message: `Released: worker ${workerId} no longer holds it.`,
      })
      .where("id", "in", lost)
      .execute();
  return lost;
}

function isOnline(w: WorkersTable, now: number): boolean {
  return (
    w.status === "online" && now - w.last_heartbeat_at <= WORKER_MISSED_HEARTBEATS * w.heartbeat_interval_ms
  );
}

/** Workers, newest heartbeat first, with how many runs each holds. */
export async function listWorkers(db: Db, pool: string | undefined, now: number): Promise<Worker[]> {
  let query = db.selectFrom("workers").selectAll().orderBy("last_heartbeat_at", "desc").limit(1000);
  if (pool !== undefined) query = query.where("pool", "=", pool);
  const workers = await query.execute();
  if (workers.length === 0) return [];
  const held = await db
    .selectFrom("runs")
    .select(["worker_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where(
      "worker_id",
      "in",
      workers.map((w) => w.id),
    )
    .where("state", "in", [...HELD_STATES])
    .groupBy("worker_id")
    .execute();
  return workers.map((w) => ({
    id: w.id,
    name: w.name,
    pool: w.pool,
    limit: w.run_limit,
    status: isOnline(w, now) ? "online" : "offline",
    heartbeatIntervalMs: w.heartbeat_interval_ms,
    lastHeartbeatAt: iso(w.last_heartbeat_at) ?? "",
    createdAt: iso(w.created_at) ?? "",
    running: Number(held.find((h) => h.worker_id === w.id)?.n ?? 0),
  }));
}

/** Work pools: every pool a deployment or a worker names, with counts. */
export async function listWorkPools(db: Db, now: number): Promise<WorkPool[]> {
  const pools = new Map<string, WorkPool>();
  const pool = (name: string): WorkPool => {
    let p = pools.get(name);
    if (p === undefined) {
      p = { name, workers: 0, onlineWorkers: 0, deployments: 0, queued: 0 };
      pools.set(name, p);
    }
    return p;
  };
  for (const w of await db.selectFrom("workers").selectAll().execute()) {
    pool(w.pool).workers++;
    if (isOnline(w, now)) pool(w.pool).onlineWorkers++;
  }
  const deployments = await db
    .selectFrom("deployments")
    .select(["work_pool", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("work_pool")
    .execute();
  for (const d of deployments) pool(d.work_pool).deployments = Number(d.n);
  const queued = await db
    .selectFrom("runs")
    .select(["work_pool", (eb) => eb.fn.countAll<number>().as("n")])
    .where(sql.raw<boolean>(CLAIMABLE_RUNS))
    .where("scheduled_for", "<=", now)
    .groupBy("work_pool")
    .execute();
  for (const q of queued) if (q.work_pool !== null) pool(q.work_pool).queued = Number(q.n);
  return [...pools.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
