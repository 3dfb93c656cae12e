import { randomUUID } from "node:crypto";

import { sql } from "kysely";

import type { RunService } from "./run-service.js";

/** A background job; `stop()` waits for a pass in progress. */
export interface BackgroundJob {
  /** Runs one pass now (tests and start-up use it). */
  runOnce: () => Promise<number>;
  stop: () => Promise<void>;
}

/** How many heartbeat intervals of silence make a run Crashed. */
export const MISSED_HEARTBEATS = 3;

/**
 * Marks `Running` runs whose heartbeats stopped for three intervals `Crashed` (with a message),
 * and with them their unfinished task runs. No user rule needed: a SIGKILLed flow process shows
 * up as Crashed within 3 intervals plus one check period. Silence is measured on the server's clock
 * (the receipt time of the last heartbeat, creation or transition), never on a client timestamp.
 * The verdict is recorded as the server's (`origin: "server"`), so that the client's own final
 * state from a replayed spool, or resumed heartbeats, can overturn it (`verdictOverride`).
 */
export function startLivenessMonitor(
  service: RunService,
  intervalMs: number,
  onError: (error: unknown) => void,
): BackgroundJob {
  const db = service.storage.db;
  // A run cannot heartbeat to a server that is down: silence is counted from the server's start
  // at the earliest, so a restart does not mark every healthy run Crashed before it reconnects.
  const startedAt = Date.now();
  const runOnce = async (): Promise<number> => {
    const now = Date.now();
    const candidates = await db
      .selectFrom("runs")
      .select(["id", "heartbeat_interval_ms", "last_heartbeat_at", "state_time"])
      .where("kind", "in", ["flow", "task"])
      .where("state", "=", "Running")
      .where("heartbeat_interval_ms", "is not", null)
      .where(
        sql<boolean>`coalesce(last_heartbeat_at, state_time) + ${MISSED_HEARTBEATS} * heartbeat_interval_ms < ${now}`,
      )
      .limit(1000)
      .execute();
    const stale = candidates.filter(
      (run) =>
        now - Math.max(run.last_heartbeat_at ?? run.state_time, startedAt) >
        MISSED_HEARTBEATS * (run.heartbeat_interval_ms ?? 0),
    );
    let crashed = 0;
    for (const run of stale) {
      const interval = (run.heartbeat_interval_ms ?? 0) / 1000;
      const silent = ((now - (run.last_heartbeat_at ?? run.state_time)) / 1000).toFixed(1);
      const outcome = await service.transition(run.id, {
        id: randomUUID(),
        type: "Crashed",
        origin: "server",
        message: `No heartbeat for ${silent} s (expected one every ${interval} s; ${MISSED_HEARTBEATS} missed): the flow process stopped without reporting a final state (killed, out of memory, or lost its network).`,
      });
      if (outcome.kind !== "accepted") continue;
      crashed++;
      service.metrics.crashesDetected++;
      await crashChildren(service, run.id, onError);
    }
    return crashed;
  };
  return periodic(runOnce, intervalMs, onError);
}

/** Marks the unfinished task runs of a crashed flow run Crashed too. */
export async function crashChildren(
  service: RunService,
  flowRunId: string,
  onError: (error: unknown) => void,
): Promise<void> {
  const children = await service.storage.db
    .selectFrom("runs")
    .select("id")
    .where("flow_run_id", "=", flowRunId)
    .where("state", "in", [
      "Pending",
      "Running",
      "Retrying",
      "AwaitingRetry",
      "Cancelling",
      "Scheduled",
      "Late",
    ])
    .execute();
  for (const child of children)
    await service
      .transition(child.id, {
        id: randomUUID(),
        type: "Crashed",
        origin: "server",
        message: `Its flow run ${flowRunId} crashed.`,
      })
      .catch(onError);
}

/** Runs `pass` every `intervalMs`, never two at once. */
export function periodic(
  pass: () => Promise<number>,
  intervalMs: number,
  onError: (e: unknown) => void,
): BackgroundJob {
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    current = current.then(() => (stopped ? 0 : pass().catch(onError)));
  }, intervalMs);
  timer.unref();
  return {
    runOnce: () => {
      const next = current.then(pass);
      current = next.catch(onError);
      return next;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
