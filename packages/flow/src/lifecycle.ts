import { workerStopCause } from "./adoption.js";
import { WeirCancelledError, WeirTimeoutError } from "./errors.js";
import type { Reporter } from "./reporter.js";
import { sleep } from "./retry-policy.js";

/** A run in progress, as the lifecycle sees it. Internal. */
export interface ActiveRun {
  readonly runId: string;
  /** Top-level flow runs get aborted on a signal; the others follow through their linked signals. */
  readonly root: boolean;
  abort(reason: Error): void;
  /** The server asked for the run to be cancelled (API, UI, CLI): abort it, give it the grace period. */
  cancelRequested(): void;
  /** Records a final state now if the run has none yet; returns whether it did. */
  finalize(type: ForcedEnd, message: string): boolean;
  /** Settles when the run's wrapper has recorded its final state. */
  readonly settled: Promise<void>;
}

/** The final states the lifecycle may force on a run. */
type ForcedEnd = "Cancelled" | "Crashed" | "TimedOut";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type ShutdownSignal = (typeof SIGNALS)[number];

/**
 * Process lifecycle of the runs: SIGINT/SIGTERM handlers (installed only while a run is active), the
 * graceful shutdown (stop intake → abort `ctx.signal` → wait the grace period → mark what is left
 * Cancelled → flush → re-raise the signal so the process ends the default way), and crash recording when
 * the process exits with runs still active. Never calls `process.exit`.
 */
export class Lifecycle {
  readonly #reporter: Reporter;
  readonly #graceMs: number;
  readonly #runs = new Map<string, ActiveRun>();
  readonly #handlers = new Map<ShutdownSignal, () => void>();
  #stopping: ShutdownSignal | undefined;
  #exitWaiters: Array<() => void> = [];
  #removal: NodeJS.Timeout | undefined;
  readonly #onBeforeExit = (): void =>
    this.#crashAll(
      "the process ran out of work while the run was still active (its function awaited a promise that can never settle)",
      false,
    );
  readonly #onExit = (code: number): void =>
    this.#crashAll(`the process exited (code ${code}) while the run was still active`, true);

  constructor(reporter: Reporter, graceMs: number) {
    this.#reporter = reporter;
    this.#graceMs = graceMs;
    process.on("beforeExit", this.#onBeforeExit);
    process.on("exit", this.#onExit);
  }

  /** The signal being handled, once a shutdown began: new runs are refused. */
  get stopping(): ShutdownSignal | undefined {
    return this.#stopping;
  }

  add(run: ActiveRun): void {
    this.#runs.set(run.runId, run);
    clearTimeout(this.#removal);
    if (this.#handlers.size === 0 && this.#stopping === undefined) {
      for (const signal of SIGNALS) {
        const handler = (): void => void this.#shutdown(signal);
        this.#handlers.set(signal, handler);
        process.on(signal, handler);
      }
    }
  }

  remove(runId: string): void {
    this.#runs.delete(runId);
    if (this.#runs.size === 0 && this.#stopping === undefined) {
      // Deferred a moment so that back-to-back runs do not reinstall the handlers each time; a signal in
      // between finds no runs and is re-raised at once.
      clearTimeout(this.#removal);
      this.#removal = setTimeout(() => {
        if (this.#runs.size === 0 && this.#stopping === undefined) this.#removeHandlers();
      }, 10);
      this.#removal.unref();
    }
  }

  /**
   * For a run that ended Cancelled because of a signal: resolves only if the process is going to live on
   * (someone else handles the signal); otherwise the re-raised signal ends the process first.
   */
  waitForExit(): Promise<void> {
    if (this.#stopping === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#exitWaiters.push(resolve));
  }

  /** Cancel requests from the server (an ingest or heartbeat answer): unknown or ended runs are ignored. */
  cancelRequested(runIds: readonly string[]): void {
    for (const id of runIds) this.#runs.get(id)?.cancelRequested();
  }

  /** Removes the process listeners (tests that reconfigure the client). */
  dispose(): void {
    this.#removeHandlers();
    process.off("beforeExit", this.#onBeforeExit);
    process.off("exit", this.#onExit);
  }

  async #shutdown(signal: ShutdownSignal): Promise<void> {
    if (this.#stopping !== undefined) {
      // A second signal: no more grace.
      this.#finalizeAll(workerStopCause(), `a second ${signal} arrived during the graceful shutdown`);
      this.#reporter.closeSync();
      this.#reraise(signal);
      return;
    }
    this.#stopping = signal;
    const runs = [...this.#runs.values()];
    // In a worker's child, a SIGTERM past the run's deadline is the worker's hard timeout.
    const end = workerStopCause();
    process.stderr.write(
      `weir: ${signal} received; ${end === "TimedOut" ? "timing out" : "cancelling"} ${runs.length} run(s), ` +
        `grace period ${this.#graceMs / 1000} s.\n`,
    );
    const reason =
      end === "TimedOut"
        ? new WeirTimeoutError("run", 0, `The run exceeded its timeout: the worker stopped it (${signal}).`)
        : new WeirCancelledError(`The run was cancelled: the process received ${signal}.`);
    for (const run of runs) if (run.root) run.abort(reason);
    const stop = new AbortController();
    await Promise.race([
      Promise.allSettled(runs.map((run) => run.settled)),
      sleep(this.#graceMs, stop.signal).catch(() => undefined),
    ]);
    stop.abort();
    this.#finalizeAll(
      end,
      `the run did not stop within the ${this.#graceMs / 1000} s grace period after ${signal}`,
    );
    await this.#reporter.flush();
    this.#reraise(signal);
  }

  #finalizeAll(type: ForcedEnd, message: string): void {
    for (const run of [...this.#runs.values()]) {
      run.finalize(type, message);
      this.#runs.delete(run.runId);
    }
  }

  #crashAll(message: string, sync: boolean): void {
    if (this.#runs.size === 0) {
      if (sync) this.#reporter.closeSync();
      else if (!this.#reporter.idle) void this.#reporter.flush(); // e.g. drop warnings queued after a replay
      return;
    }
    this.#finalizeAll("Crashed", message);
    if (sync) this.#reporter.closeSync();
    else void this.#reporter.flush();
  }

  #reraise(signal: ShutdownSignal): void {
    this.#removeHandlers();
    if (process.listenerCount(signal) > 0) {
      // The application handles this signal itself: let it decide, and let cancelled runs return.
      this.#stopping = undefined;
      for (const resolve of this.#exitWaiters.splice(0)) resolve();
      return;
    }
    this.#reporter.closeSync();
    process.kill(process.pid, signal);
  }

  #removeHandlers(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers.clear();
  }
}
