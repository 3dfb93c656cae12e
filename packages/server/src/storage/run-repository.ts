import { isTerminalState, transitionError } from "@weir/protocol";
import type { Run, StateHistoryEntry, StateType } from "@weir/protocol";
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
  const seen = await db
    .selectFrom("run_states")
    .select(["run_id"])
    .where("id", "=", proposal.id)
    .executeTakeFirst();
  if (seen !== undefined && seen.run_id !== runId) return { kind: "id-conflict", otherRunId: seen.run_id };
  const row = await getRunRow(db, runId, dialect);
  if (row === undefined) return { kind: "not-found" };
  if (seen !== undefined) return { kind: "accepted", run: toRun(row), changed: false };
  const at = epoch(proposal.timestamp, now);
  const reason = transitionError(row.state as StateType, proposal.type);
  const override = reason === undefined ? undefined : await verdictOverride(db, row, proposal, at);
  if (reason !== undefined && override === undefined) return { kind: "rejected", run: toRun(row), reason };

  const last = await db
    .selectFrom("run_states")
    .select((eb) => eb.fn.max("position").as("position"))
    .where("run_id", "=", runId)
    .executeTakeFirst();
  await db
    .insertInto("run_states")
    .values({
      id: proposal.id,
      run_id: runId,
      position: Number(last?.position ?? -1) + 1,
      type: proposal.type,
      message: proposal.message === undefined ? null : withoutNul(proposal.message),
      timestamp: at,
      origin: proposal.origin === "server" ? "server" : null,
    })
    .execute();
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
  await db
    .updateTable("runs")
    .set({
      state: next.state,
      state_message: next.state_message,
      state_time: next.state_time,
      last_heartbeat_at: next.last_heartbeat_at,
      run_count: next.run_count,
      start_time: next.start_time,
      sort_time: next.sort_time,
      end_time: next.end_time,
      duration_ms: next.duration_ms,
    })
    .where("id", "=", runId)
    .execute();
  if (next.sort_time !== row.sort_time)
    await db.updateTable("run_tags").set({ sort_time: next.sort_time }).where("run_id", "=", runId).execute();
  return { kind: "accepted", run: toRun(next), changed: true };
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
