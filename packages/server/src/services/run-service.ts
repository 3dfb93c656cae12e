import { randomUUID } from "node:crypto";

import { isTerminalState } from "@weir/protocol";
import type { Artifact, IngestResult, Run, createArtifactSchema, ingestBatchSchema } from "@weir/protocol";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { WeirHttpError, runNotFound } from "../errors.js";
import { insertArtifact } from "../storage/artifact-repository.js";
import type { Storage } from "../storage/database.js";
import { insertLogs, toLogLine, toLogRows } from "../storage/log-repository.js";
import { insertMetrics, toMetricRows } from "../storage/metric-repository.js";
import { insertRun, insertRuns } from "../storage/run-creation.js";
import type { NewRun } from "../storage/run-creation.js";
import { applyTransition, getRunRow } from "../storage/run-repository.js";
import type { Proposal, TransitionOutcome } from "../storage/run-repository.js";
import type { Database } from "../storage/schema.js";
import type { EventBus } from "./event-bus.js";
import { keepsItem, knownRuns, runsToCancel, withBatchEnds } from "./ingest-guards.js";
import type { ServerMetrics } from "./server-metrics.js";

type IngestBatch = z.output<typeof ingestBatchSchema>;
type NewArtifact = z.output<typeof createArtifactSchema>;

const RETRYABLE_PG = new Set(["40001", "40P01", "23505"]);

const REVIVED =
  "Heartbeats arrived again after the liveness check had marked this run Crashed: its process is alive " +
  "(its heartbeats could not reach the server for a while, e.g. a network partition). Running again.";

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_PG.has(code);
}

/**
 * The write side of the API: every change goes through one transaction here, then is published
 * to live subscribers once committed.
 */
export class RunService {
  constructor(
    readonly storage: Storage,
    readonly bus: EventBus,
    readonly metrics: ServerMetrics,
  ) {}

  /**
   * Called inside the transaction of every accepted transition to a terminal state (the restart
   * policy of deployments); returns the runs it created, published once committed.
   */
  onRunEnded: ((trx: Kysely<Database>, run: Run) => Promise<Run[]>) | undefined;

  async #ended(trx: Kysely<Database>, run: Run): Promise<Run[]> {
    return this.onRunEnded !== undefined && isTerminalState(run.state) ? this.onRunEnded(trx, run) : [];
  }

  /**
   * Runs `fn` in one transaction. On SQLite the single connection serializes it with every other
   * query; on PostgreSQL a deadlock, serialization failure or a lost insert race is retried.
   */
  async write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.storage.db.transaction().execute(fn);
      } catch (error) {
        if (this.storage.dialect !== "postgres" || attempt >= 4 || !isRetryable(error)) throw error;
      }
    }
  }

  /** Creates a run (idempotent on a given id). */
  async createRun(input: NewRun): Promise<{ run: Run; created: boolean }> {
    const result = await this.write((trx) => insertRun(trx, input, Date.now()));
    if (result.created) this.bus.publish({ type: "run", data: result.run });
    return result;
  }

  /** Proposes a transition; throws 404 for an unknown run and 409 for a reused transition id. */
  async transition(runId: string, proposal: Proposal): Promise<Extract<TransitionOutcome, { run: Run }>> {
    const follow: Run[] = [];
    const outcome = await this.write(async (trx) => {
      follow.length = 0;
      const result = await applyTransition(trx, this.storage.dialect, runId, proposal, Date.now());
      if (result.kind === "accepted" && result.changed) follow.push(...(await this.#ended(trx, result.run)));
      return result;
    });
    if (outcome.kind === "not-found") throw runNotFound(runId);
    if (outcome.kind === "id-conflict")
      throw new WeirHttpError(
        409,
        "WEIR_TRANSITION_ID_CONFLICT",
        `Transition id ${proposal.id} was already used by run ${outcome.otherRunId}; use a fresh UUID per transition.`,
      );
    if (outcome.kind === "accepted" && outcome.changed) {
      this.metrics.ingest.states++;
      this.bus.publish({ type: "run", data: outcome.run });
      for (const run of follow) this.bus.publish({ type: "run", data: run });
    }
    return outcome;
  }

  /**
   * Records a heartbeat (server receipt time). A run the liveness check marked Crashed is alive after
   * all: it is moved back to Running. Returns whether the run exists and whether it was revived.
   */
  async heartbeat(runId: string): Promise<{ found: boolean; revived: boolean; cancel: string[] }> {
    const now = Date.now();
    const result = await this.storage.db
      .updateTable("runs")
      .set({ last_heartbeat_at: now })
      .where("id", "=", runId)
      .returning(["state", "end_time", "cancel_requested_at", "worker_id"])
      .executeTakeFirst();
    if (result === undefined) return { found: false, revived: false, cancel: [] };
    const cancel = runsToCancel(
      new Map([
        [
          runId,
          {
            state: result.state,
            endTime: result.end_time,
            cancelRequestedAt: result.cancel_requested_at,
            workerId: result.worker_id,
          },
        ],
      ]),
    );
    if (result.state !== "Crashed" || result.worker_id !== null)
      return { found: true, revived: false, cancel };
    const revived = await this.write((trx) => this.#revive(trx, [runId], now));
    for (const run of revived) this.bus.publish({ type: "run", data: run });
    return { found: true, revived: revived.length > 0, cancel };
  }

  /** Stores an artifact of a run. */
  async createArtifact(runId: string, input: NewArtifact): Promise<Artifact> {
    const artifact = await this.write(async (trx) => {
      if ((await getRunRow(trx, runId)) === undefined) throw runNotFound(runId);
      return insertArtifact(trx, runId, input, Date.now());
    });
    this.bus.publish({ type: "artifact", data: artifact });
    return artifact;
  }

  /**
   * Stores one ingest batch in one transaction. Items of runs that do not exist are refused and
   * counted; (run, seq) pairs already stored are ignored and counted as duplicates.
   */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const runs = batch.runs ?? [];
    const logs = batch.logs ?? [];
    const metrics = batch.metrics ?? [];
    const states = batch.states ?? [];
    const heartbeats = [...new Set(batch.heartbeats ?? [])].sort();
    const live = this.bus.size > 0;
    const result: IngestResult = {
      accepted: { runs: 0, logs: 0, metrics: 0, states: 0 },
      duplicates: { runs: 0, logs: 0, metrics: 0 },
      rejected: { logs: 0, metrics: 0, heartbeats: 0, states: [] },
      revived: [],
      cancel: [],
    };
    const runEvents: Run[] = [];
    const stored = await this.write(async (trx) => {
      runEvents.length = 0;
      result.rejected.states = [];
      const { created } = await insertRuns(trx, runs, Date.now());
      const createdRuns = created.length;
      runEvents.push(...created);
      const ids = new Set<string>();
      for (const l of logs) ids.add(l.runId);
      for (const m of metrics) ids.add(m.runId);
      for (const h of heartbeats) ids.add(h);
      const now = Date.now();
      const known = withBatchEnds(await knownRuns(trx, [...ids]), states, now);
      const whole = known.size === ids.size && [...known.values()].every((r) => r.endTime === null);
      const logRows = toLogRows(
        whole ? logs : logs.filter((l) => keepsItem(known, l.runId, l.timestamp, now)),
        now,
      );
      const metricRows = toMetricRows(
        whole ? metrics : metrics.filter((m) => keepsItem(known, m.runId, m.timestamp, now)),
        now,
      );
      const insertedLogs = await insertLogs(trx, this.storage.dialect, logRows, live);
      const insertedMetrics = await insertMetrics(trx, this.storage.dialect, metricRows, live);
      const beating = heartbeats.filter((h) => known.has(h));
      if (beating.length > 0)
        await trx.updateTable("runs").set({ last_heartbeat_at: now }).where("id", "in", beating).execute();
      const revived = await this.#revive(
        trx,
        beating.filter((h) => known.get(h)?.state === "Crashed" && known.get(h)?.workerId === null),
        now,
      );
      runEvents.push(...revived);
      result.revived = revived.map((r) => r.id);
      result.cancel = runsToCancel(known);
      let acceptedStates = 0;
      for (const s of states) {
        const outcome = await applyTransition(trx, this.storage.dialect, s.runId, s, now);
        if (outcome.kind === "accepted") {
          acceptedStates++;
          if (outcome.changed) runEvents.push(outcome.run, ...(await this.#ended(trx, outcome.run)));
        } else {
          const reason =
            outcome.kind === "rejected"
              ? outcome.reason
              : outcome.kind === "not-found"
                ? `run ${s.runId} does not exist`
                : `transition id already used by run ${outcome.otherRunId}`;
          result.rejected.states.push({ runId: s.runId, id: s.id, reason });
        }
      }
      result.accepted = {
        runs: createdRuns,
        logs: insertedLogs.inserted,
        metrics: insertedMetrics.inserted,
        states: acceptedStates,
      };
      result.duplicates = {
        runs: runs.length - createdRuns,
        logs: logRows.length - insertedLogs.inserted,
        metrics: metricRows.length - insertedMetrics.inserted,
      };
      result.rejected.logs = logs.length - logRows.length;
      result.rejected.metrics = metrics.length - metricRows.length;
      result.rejected.heartbeats = heartbeats.length - beating.length;
      return { logs: insertedLogs.rows, metrics: insertedMetrics.rows };
    });
    const m = this.metrics.ingest;
    m.batches++;
    m.logs += result.accepted.logs;
    m.metrics += result.accepted.metrics;
    m.states += result.accepted.states;
    m.logDuplicates += result.duplicates.logs;
    m.metricDuplicates += result.duplicates.metrics;
    m.rejected += result.rejected.logs + result.rejected.metrics + result.rejected.states.length;
    if (this.bus.size > 0) {
      // Logs and metrics first: a batch's final transition usually follows its last lines, and a
      // follower stops at the terminal state.
      for (const row of stored.logs) this.bus.publish({ type: "log", data: toLogLine(row) });
      for (const row of stored.metrics)
        this.bus.publish({
          type: "metric",
          data: {
            runId: row.run_id,
            seq: row.seq,
            name: row.name,
            step: row.step,
            value: row.value,
            timestamp: new Date(row.timestamp).toISOString(),
          },
        });
      for (const run of runEvents) this.bus.publish({ type: "run", data: run });
    }
    return result;
  }

  /**
   * Moves runs that sent a heartbeat although the liveness check marked them Crashed back to Running
   * (see `verdictOverride`); a Crashed the client reported itself stays. Returns the revived runs.
   */
  async #revive(trx: Kysely<Database>, runIds: string[], now: number): Promise<Run[]> {
    const revived: Run[] = [];
    for (const runId of runIds) {
      const outcome = await applyTransition(
        trx,
        this.storage.dialect,
        runId,
        { id: randomUUID(), type: "Running", origin: "server", message: REVIVED },
        now,
      );
      if (outcome.kind === "accepted" && outcome.changed) revived.push(outcome.run);
    }
    return revived;
  }
}
