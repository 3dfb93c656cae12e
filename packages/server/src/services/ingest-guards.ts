import type { Kysely } from "kysely";

import type { Database } from "../storage/schema.js";

/** What ingest needs to know of a run a batch names. */
interface KnownRun {
  state: string;
  endTime: number | null;
  cancelRequestedAt: number | null;
  workerId: string | null;
}

/** The runs among `ids` that exist. */
export async function knownRuns(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, KnownRun>> {
  const found = new Map<string, KnownRun>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .selectFrom("runs")
      .select(["id", "state", "end_time", "cancel_requested_at", "worker_id"])
      .where("id", "in", ids.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      found.set(r.id, {
        state: r.state,
        endTime: r.end_time,
        cancelRequestedAt: r.cancel_requested_at,
        workerId: r.worker_id,
      });
  }
  return found;
}

/**
 * Applies the ends a batch itself reports: a run the batch moves to Cancelled or TimedOut counts as
 * ended at that state's timestamp for the batch's own lines, so a line stamped after it is dropped
 * even when it arrives in the same batch as the state (lines are stored before states).
 */
export function withBatchEnds(
  known: Map<string, KnownRun>,
  states: readonly { runId: string; type: string; timestamp?: string | undefined }[],
  now: number,
): Map<string, KnownRun> {
  for (const s of states) {
    if (s.type !== "Cancelled" && s.type !== "TimedOut") continue;
    const run = known.get(s.runId);
    if (run === undefined || run.endTime !== null) continue;
    const end = s.timestamp === undefined ? now : Date.parse(s.timestamp);
    known.set(s.runId, { ...run, state: s.type, endTime: end });
  }
  return known;
}

/**
 * Whether a log line or metric point of `runId` stamped `timestamp` (client clock; absent: now) is
 * stored: its run exists, and it is not from after the end of a run that was cancelled or timed
 * out (a process that went on after it was told to stop writes nothing into the ended run).
 */
export function keepsItem(
  known: Map<string, KnownRun>,
  runId: string,
  timestamp: string | undefined,
  now: number,
): boolean {
  const run = known.get(runId);
  if (run === undefined) return false;
  if (run.endTime === null || (run.state !== "Cancelled" && run.state !== "TimedOut")) return true;
  return (timestamp === undefined ? now : Date.parse(timestamp)) <= run.endTime;
}

/**
 * The runs of a batch whose process must stop: a cancel was requested (Cancelling, or already
 * Cancelled), or a worker's run the server has ended (its worker went offline).
 */
export function runsToCancel(known: Map<string, KnownRun>): string[] {
  const stop: string[] = [];
  for (const [id, run] of known)
    if (
      (run.cancelRequestedAt !== null && (run.state === "Cancelling" || run.state === "Cancelled")) ||
      (run.workerId !== null && run.state === "Crashed")
    )
      stop.push(id);
  return stop.sort();
}
