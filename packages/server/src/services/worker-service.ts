import { randomUUID } from "node:crypto";

import { isTerminalState } from "@weir/protocol";
import type { ClaimAnswer, Run, StateType, claimSchema, workerHeartbeatSchema } from "@weir/protocol";
import { sql } from "kysely";
import type { z } from "zod";

import { HELD_STATES, cancelRequests, claimRuns, nextDueAt } from "../storage/claims.js";
import { applyTransition, getRunRow } from "../storage/run-repository.js";
import { toRun } from "../storage/run-rows.js";
import {
  WORKER_MISSED_HEARTBEATS,
  recordWorkerHeartbeat,
  releaseLostClaims,
  runsToStop,
} from "../storage/worker-repository.js";
import { WeirHttpError, runNotFound } from "../errors.js";
import { crashChildren } from "./liveness.js";
import type { RunService } from "./run-service.js";
import type { WorkQueue } from "./work-queue.js";

type Heartbeat = z.output<typeof workerHeartbeatSchema>;
type ClaimBody = z.output<typeof claimSchema>;

/** A waiting claim re-reads the queue at least this often, even if a notification was lost. */
const RECHECK_MS = 10_000;

/** Options of the worker side. */
interface WorkerServiceOptions {
  /** A run Cancelling this long is ended Cancelled by the server, whatever its process does. */
  cancelTimeoutMs: number;
}

/** Workers: heartbeats, long-poll claims, cancel, and what happens when a worker goes silent. */
export class WorkerService {
  /** When each worker was last answered a claim (cancels requested since then answer at once). */
  readonly #answered = new Map<string, number>();
  readonly #startedAt = Date.now();

  constructor(
    readonly runs: RunService,
    readonly queue: WorkQueue,
    readonly options: WorkerServiceOptions,
  ) {}

  /** A worker's heartbeat: it is online; answers the runs it must stop. */
  async heartbeat(beat: Heartbeat): Promise<{ cancel: string[] }> {
    const now = Date.now();
    await this.runs.write(async (trx) => {
      await recordWorkerHeartbeat(trx, beat, now);
      const released = await releaseLostClaims(
        trx,
        beat.workerId,
        beat.running,
        now - 2 * beat.heartbeatIntervalMs,
      );
      if (released.length > 0) await this.queue.notify(trx, [{ pool: beat.pool }]);
    });
    return { cancel: await runsToStop(this.runs.storage.db, beat.workerId, beat.running) };
  }

  /**
   * Claims due runs of `pool`; with none due, waits up to `waitMs` for one (a slot coming due, "Run
   * now", a restart — on any replica) or for a cancel of one of this worker's runs.
   */
  async claim(pool: string, body: ClaimBody, abort: AbortSignal): Promise<ClaimAnswer> {
    const { db, dialect } = this.runs.storage;
    const deadline = Date.now() + body.waitMs;
    const since = this.#answered.get(body.workerId) ?? 0;
    for (;;) {
      const watch = this.queue.watch([{ pool }, { worker: body.workerId }]);
      try {
        const now = Date.now();
        const claimed = abort.aborted
          ? []
          : await this.runs.write((trx) => claimRuns(trx, dialect, pool, body.workerId, body.limit, now));
        const cancels = await cancelRequests(db, body.workerId);
        if (
          claimed.length > 0 ||
          cancels.some((c) => c.at > since) ||
          Date.now() >= deadline ||
          abort.aborted
        ) {
          this.#remember(body.workerId, now);
          if (this.runs.bus.size > 0)
            for (const c of claimed) this.runs.bus.publish({ type: "run", data: c.run });
          return { runs: claimed, cancel: cancels.map((c) => c.id) };
        }
        const next = await nextDueAt(db, pool, now);
        await watch.wait(Math.min(deadline, next ?? Infinity, Date.now() + RECHECK_MS), abort);
      } finally {
        watch.close();
      }
    }
  }

  #remember(workerId: string, at: number): void {
    this.#answered.delete(workerId);
    this.#answered.set(workerId, at);
    if (this.#answered.size > 10_000) this.#answered.delete(this.#answered.keys().next().value!);
  }

  /**
   * Cancels a run: one that no worker holds yet ends `Cancelled` at once; a running one becomes
   * `Cancelling` (its worker, or its own flow client, is told and stops it). 409 once it has ended.
   */
  async cancel(runId: string): Promise<Run> {
    const { dialect } = this.runs.storage;
    const outcome = await this.runs.write(async (trx) => {
      const row = await getRunRow(trx, runId, dialect);
      if (row === undefined) throw runNotFound(runId);
      if (isTerminalState(row.state as StateType))
        throw new WeirHttpError(
          409,
          "WEIR_INVALID_TRANSITION",
          `Run ${runId} is ${row.state}: it has ended, there is nothing to cancel.`,
        );
      if (row.state === "Cancelling") return row;
      const now = Date.now();
      await trx.updateTable("runs").set({ cancel_requested_at: now }).where("id", "=", runId).execute();
      const waiting =
        row.state === "Scheduled" ||
        row.state === "Late" ||
        (row.state === "Pending" && row.worker_id === null && row.deployment_id !== null);
      await applyTransition(
        trx,
        dialect,
        runId,
        waiting
          ? { id: randomUUID(), type: "Cancelled", message: "Cancelled before it started." }
          : {
              id: randomUUID(),
              type: "Cancelling",
              message:
                row.worker_id === null
                  ? "Cancel requested: the flow's process is told on its next heartbeat and aborts its signal."
                  : `Cancel requested: worker ${row.worker_id} stops its process (SIGTERM, then SIGKILL after its grace period).`,
            },
        now,
      );
      if (row.worker_id !== null) await this.queue.notify(trx, [{ worker: row.worker_id }]);
      return (await getRunRow(trx, runId)) ?? row;
    });
    const run = toRun(outcome);
    this.runs.bus.publish({ type: "run", data: run });
    return run;
  }

  /**
   * One pass of the worker check: workers silent for 3 heartbeat intervals go offline and their
   * runs end (Crashed; Cancelled when a cancel was requested), so the restart policy can start them
   * again elsewhere; runs stuck in Cancelling end Cancelled. Returns how many runs it ended.
   */
  async checkWorkers(onError: (error: unknown) => void): Promise<number> {
    const { db } = this.runs.storage;
    const now = Date.now();
    const silent = await db
      .selectFrom("workers")
      .selectAll()
      .where("status", "=", "online")
      .where(sql<boolean>`last_heartbeat_at + ${WORKER_MISSED_HEARTBEATS} * heartbeat_interval_ms < ${now}`)
      .execute();
    let ended = 0;
    for (const worker of silent) {
      if (
        now - Math.max(worker.last_heartbeat_at, this.#startedAt) <=
        WORKER_MISSED_HEARTBEATS * worker.heartbeat_interval_ms
      )
        continue;
      await db.updateTable("workers").set({ status: "offline" }).where("id", "=", worker.id).execute();
      const held = await db
        .selectFrom("runs")
        .select(["id", "state"])
        .where("worker_id", "=", worker.id)
        .where("state", "in", [...HELD_STATES])
        .execute();
      const silence = ((now - worker.last_heartbeat_at) / 1000).toFixed(1);
      for (const run of held) {
        const cancelled = run.state === "Cancelling";
        const outcome = await this.runs.transition(run.id, {
          id: randomUUID(),
          type: cancelled ? "Cancelled" : "Crashed",
          message: `Worker ${worker.name} (${worker.id}) sent no heartbeat for ${silence} s (every ${worker.heartbeat_interval_ms / 1000} s expected; ${WORKER_MISSED_HEARTBEATS} missed): it is offline and its runs are lost.`,
        });
        if (outcome.kind !== "accepted" || !outcome.changed) continue;
        ended++;
        if (!cancelled) {
          this.runs.metrics.crashesDetected++;
          await crashChildren(this.runs, run.id, onError);
        }
      }
    }
    return ended + (await this.#endStuckCancels(now));
  }

  /** Ends runs Cancelling past the cancel timeout, or whose own heartbeats stopped, as Cancelled. */
  async #endStuckCancels(now: number): Promise<number> {
    const stuck = await this.runs.storage.db
      .selectFrom("runs")
      .select(["id", "cancel_requested_at"])
      .where("state", "=", "Cancelling")
      .where((eb) =>
        eb.or([
          eb("cancel_requested_at", "<", now - this.options.cancelTimeoutMs),
          eb.and([
            eb("heartbeat_interval_ms", "is not", null),
            sql<boolean>`last_heartbeat_at + 3 * heartbeat_interval_ms < ${now}`,
          ]),
        ]),
      )
      .limit(1000)
      .execute();
    let ended = 0;
    for (const run of stuck) {
      const waited = ((now - (run.cancel_requested_at ?? now)) / 1000).toFixed(1);
      const outcome = await this.runs.transition(run.id, {
        id: randomUUID(),
        type: "Cancelled",
        message: `Cancel requested ${waited} s ago and its process never confirmed it (gone, or it ignores the signal): ended by the server. Nothing it sends from now on is stored.`,
      });
      if (outcome.kind === "accepted" && outcome.changed) ended++;
    }
    return ended;
  }
}
