import { isTerminalState, transitionError } from "@weir/protocol";
import type { Run, StateHistoryEntry, StateType } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely } from "kysely";

import { epoch, iso } from "./cursor.js";
import { withoutNul } from "./text.js";
import type { Dialect } from "./database.js";
import { toRun } from "./run-rows.js";
import { verdictOverride } from "./run-verdicts.js";
import type { StateOrigin } from "./run-verdicts.js";
import type { Database, RunsTable } from "./schema.js";

type Db = Kysely<Database>;

/** Fetches a run row (locked for update on PostgreSQL, where concurrent writers exist). */
export async function getRunRow(db: Db, id: string, dialect?: Dialect): Promise<RunsTable | undefined> {
  let query = db.selectFrom("runs").selectAll().where("id", "=", id);
  if (dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirst();
}

/** What became of a proposed transition. */
export type TransitionOutcome =
  | { kind: "accepted"; run: Run; changed: boolean }
  | { kind: "rejected"; run: Run; reason: string }
  | { kind: "not-found" }
  | { kind: "id-conflict"; otherRunId: string };

/** A validated transition proposal. */
export interface Proposal {
  id: string;
  type: StateType;
  message?: string | undefined;
  /** The client's time of the change; the run's times follow it. Absent: the receipt time. */
  timestamp?: string | undefined;
  /** `server` only for the liveness check (never taken from a request body). @default "client" */
  origin?: StateOrigin | undefined;
}

/**
 * Whether entering `to` from `from` starts an attempt: `Running` does (unless it only follows the
 * `Retrying` that already counted), and so does `Retrying`, which is how `@weir/flow` starts a retry.
 */
function startsAttempt(from: StateType, to: StateType): boolean {
  return to === "Retrying" || (to === "Running" && from !== "Retrying");
}

/**
 * Applies a transition inside the caller's transaction: a repeated id is a no-op, an invalid one is
 * refused, an accepted one is recorded in the history and sets start/end times. Times come from the
 * proposal's (client) timestamp; `last_heartbeat_at` keeps the server's receipt time for liveness.
 * A liveness `Crashed` may be overturned (see `verdictOverride`).
 */
export async function applyTransition(
  db: Db,
  dialect: Dialect,
  runId: string,
  proposal: Proposal,
  now: number,
): Promise<TransitionOutcome> {
  const found = await lockRunNamingTransition(db, dialect, runId, proposal.id);
  if (found.seen !== null && found.seen !== runId) return { kind: "id-conflict", otherRunId: found.seen };
  const row = found.row;
  if (row === undefined) return { kind: "not-found" };
  if (found.seen !== null) return { kind: "accepted", run: toRun(row), changed: false };
  const at = epoch(proposal.timestamp, now);
  const reason = transitionError(row.state as StateType, proposal.type);
  const override = reason === undefined ? undefined : await verdictOverride(db, row, proposal, at);
  if (reason !== undefined && override === undefined) return { kind: "rejected", run: toRun(row), reason };

  const next: RunsTable = {
    ...row,
    state: proposal.type,
    state_message: proposal.message === undefined ? null : withoutNul(proposal.message),
    state_time: at,
    last_heartbeat_at: now,
  };
  if (override !== "revive" && startsAttempt(row.state as StateType, proposal.type)) {
    next.run_count = row.run_count + 1;
    if (row.start_time === null) {
      next.start_time = at;
      next.sort_time = at;
    }
  }
  if (override === "revive") {
    next.end_time = null;
    next.duration_ms = null;
  }
  if (isTerminalState(proposal.type)) {
    next.end_time = at;
    next.duration_ms = next.start_time === null ? null : Math.max(0, at - next.start_time);
  }
  await storeTransition(db, dialect, proposal, next, next.sort_time !== row.sort_time);
  return { kind: "accepted", run: toRun(next), changed: true };
}

/**
 * The run (locked for update on PostgreSQL) and the run that already holds transition id `stateId`
 * (`seen`, null if none), in one round trip when the run exists.
 */
async function lockRunNamingTransition(
  db: Db,
  dialect: Dialect,
  runId: string,
  stateId: string,
): Promise<{ row: RunsTable | undefined; seen: string | null }> {
  let query = db
    .selectFrom("runs")
    .selectAll("runs")
    .select((eb) =>
      eb.selectFrom("run_states").select("run_states.run_id").where("run_states.id", "=", stateId).as("seen"),
    )
    .where("runs.id", "=", runId);
  if (dialect === "postgres") query = query.forUpdate("runs");
  const found = await query.executeTakeFirst();
  if (found !== undefined) {
    const { seen, ...row } = found;
    return { row, seen: seen ?? null };
  }
  const seen = await db
    .selectFrom("run_states")
    .select("run_id")
    .where("id", "=", stateId)
    .executeTakeFirst();
  return { row: undefined, seen: seen?.run_id ?? null };
}

/**
 * Writes an accepted transition: its history entry (after the run's last one), the run's new state
 * and times, and — when the run's list time moved — its tags' copy of it. On PostgreSQL one statement
 * (data-modifying CTEs) under the lock the caller holds; on SQLite, in-process, three.
 */
async function storeTransition(
  db: Db,
  dialect: Dialect,
  proposal: Proposal,
  next: RunsTable,
  sortTimeMoved: boolean,
): Promise<void> {
  const runId = next.id;
  const entry = db.insertInto("run_states").values({
    id: proposal.id,
    run_id: runId,
    position: db
      .selectFrom("run_states")
      .select(sql<number>`coalesce(max(position), -1) + 1`.as("position"))
      .where("run_id", "=", runId),
    type: proposal.type,
    message: next.state_message,
    timestamp: next.state_time,
    origin: proposal.origin === "server" ? "server" : null,
  });
  const tags = db.updateTable("run_tags").set({ sort_time: next.sort_time }).where("run_id", "=", runId);
  const changes = {
    state: next.state,
    state_message: next.state_message,
    state_time: next.state_time,
    last_heartbeat_at: next.last_heartbeat_at,
    run_count: next.run_count,
    start_time: next.start_time,
    sort_time: next.sort_time,
    end_time: next.end_time,
    duration_ms: next.duration_ms,
  };
  if (dialect === "postgres") {
    const withEntry = db.with("new_state", () => entry);
    const update = sortTimeMoved
      ? withEntry
          .with("moved_tags", () => tags)
          .updateTable("runs")
          .set(changes)
      : withEntry.updateTable("runs").set(changes);
    await update.where("id", "=", runId).execute();
    return;
  }
  await entry.execute();
  await db.updateTable("runs").set(changes).where("id", "=", runId).execute();
  if (sortTimeMoved) await tags.execute();
}

/** A run's state history, oldest first. */
export async function listStates(db: Db, runId: string): Promise<StateHistoryEntry[]> {
  const rows = await db
    .selectFrom("run_states")
    .select(["id", "type", "message", "timestamp"])
    .where("run_id", "=", runId)
    .orderBy("position", "asc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type as StateType,
    message: r.message,
    timestamp: iso(r.timestamp) ?? "",
  }));
}
