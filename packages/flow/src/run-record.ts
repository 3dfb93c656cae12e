import { randomUUID } from "node:crypto";
import type { Heartbeats } from "./heartbeats.js";
import type { Reporter } from "./reporter.js";
import { truncate } from "./run-context.js";
import type { FinalStateType } from "./run-options.js";
import type { CreateRunBody, RunStateType } from "./wire.js";

/** A run's creation record, without the id and timestamp that {@link RunRecord.create} adds. */
export type RunCreation = Omit<CreateRunBody, "id" | "timestamp">;

/**
 * What the server learns about one run, through the reporter (queued, never awaited): its creation, its
 * state changes, its heartbeats, and exactly one final state, whoever proposes it first (the run itself
 * or the lifecycle at shutdown/exit). Every time is the client's clock: the server may receive a record a
 * second later, or in a spool replay hours later, and keeps its receipt time apart. Internal.
 */
export class RunRecord {
  readonly runId: string;
  readonly #reporter: Reporter;
  readonly #heartbeats: Heartbeats;
  readonly #heartbeatMs: number | undefined;
  #final: FinalStateType | undefined;

  /** `heartbeatMs` is set for flow runs, whose liveness the server checks. */
  constructor(reporter: Reporter, heartbeats: Heartbeats, runId: string, heartbeatMs?: number) {
    this.runId = runId;
    this.#reporter = reporter;
    this.#heartbeats = heartbeats;
    this.#heartbeatMs = heartbeatMs;
  }

  /** The final state recorded so far, if any. */
  get final(): FinalStateType | undefined {
    return this.#final;
  }

  /** Queues the run's creation. */
  create(body: RunCreation): void {
    this.#reporter.enqueue({
      t: "run",
      body: { timestamp: new Date().toISOString(), id: this.runId, ...body },
    });
  }

  /**
   * Takes over a run the server already has (`Pending`, created for a worker): it becomes Running under
   * its id, and its heartbeats may start at once.
   */
  adopt(): void {
    this.propose("Running", "Started by a worker.");
    this.#reporter.markCreated(this.runId);
  }

  /** Queues a state change. */
  propose(type: RunStateType, message?: string): void {
    this.#reporter.enqueue({
      t: "state",
      state: {
        runId: this.runId,
        id: randomUUID(),
        type,
        timestamp: new Date().toISOString(),
        ...(message === undefined ? {} : { message: truncate(message, 10_000) }),
      },
    });
  }

  /** Records the final state unless one already is; returns whether it did. Ends the heartbeats. */
  finish(type: FinalStateType, message?: string): boolean {
    if (this.#final !== undefined) return false;
    this.#final = type;
    this.propose(type, message);
    this.stopHeartbeats();
    return true;
  }

  /** Starts the heartbeats of a flow run; `onRevived` runs when one brings back a run marked Crashed. */
  startHeartbeats(onRevived: () => void): void {
    if (this.#heartbeatMs !== undefined) this.#heartbeats.start(this.runId, this.#heartbeatMs, onRevived);
  }

  stopHeartbeats(): void {
    if (this.#heartbeatMs !== undefined) this.#heartbeats.stop(this.runId);
  }
}
