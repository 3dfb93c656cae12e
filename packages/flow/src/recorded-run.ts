import { randomUUID } from "node:crypto";
import type { AdoptedRun } from "./adoption.js";
import { takeAdoptedRun } from "./adoption.js";
import { AttemptDeadline } from "./attempt-deadline.js";
import type { WeirParameterError } from "./errors.js";
import { describe, WeirCancelledError, WeirTimeoutError } from "./errors.js";
import { toJsonRecord } from "./json-safe.js";
import type { ActiveRun } from "./lifecycle.js";
import type { AttemptResult } from "./run-attempts.js";
import { runAttempts } from "./run-attempts.js";
import type { FlowRunShared, RunFrame } from "./run-context.js";
import { emitLog, frameLogger, runStorage, truncate } from "./run-context.js";
import { hooksFor, runHooks } from "./run-hooks.js";
import { renderRunName } from "./run-names.js";
import type { FinalStateType, RunHookEvent } from "./run-options.js";
import { parseParameters } from "./run-parameters.js";
import type { RunCreation } from "./run-record.js";
import { RunRecord } from "./run-record.js";
import type { ContextSeed, RunSpec } from "./run-spec.js";
import type { Runtime } from "./runtime.js";

/**
 * How a recorded run ended, for its caller. `waitForExit`: the run was ended by a shutdown signal, so the
 * caller waits for the process to end (or for the application to take the signal) before throwing.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; waitForExit: boolean };

/** How a call of the function settled. */
type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** A failed attempt that may be retried: its error, and the frame and number to log and hook it with. */
interface FailedAttempt {
  error: unknown;
  frame: RunFrame;
  attempt: number;
}

/** The event fields that depend on how the run ended. */
type Ending<P> = Partial<RunHookEvent<P>>;

/**
 * One flow run, or one task run inside a flow run, from creation to final state: its record on the server
 * ({@link RunRecord}), its place in the process lifecycle (signals, grace period, exit), its attempts
 * (the shared retry loop, each under its {@link AttemptDeadline}) and its hooks. Internal: see
 * `executeRun` for the order of the steps.
 */
export class RecordedRun<P, R> {
  /** A top-level run: it owns the cancellation of its tree and flushes the reporter when it ends. */
  readonly root: boolean;
  readonly #spec: RunSpec<P, R>;
  readonly #rt: Runtime;
  readonly #parent: RunFrame | undefined;
  readonly #record: RunRecord;
  /** Set for flow runs, whose liveness the server checks. */
  readonly #heartbeatMs: number | undefined;
  readonly #flowRun: FlowRunShared;
  readonly #params: P;
  readonly #paramError: WeirParameterError | undefined;
  readonly #runName: string;
  /** Aborted by a shutdown (root) or with the parent's signal: every attempt's signal follows it. */
  readonly #outer: AbortSignal;
  readonly #cancel: AbortController | undefined;
  readonly #active: ActiveRun;
  /** The server's run this process was started for (`WEIR_RUN_ID`), if this run adopts it. */
  readonly #adopted: AdoptedRun | undefined;
  /** Rejects the running attempt once a cancelled run overran its grace period (see `#cancelRequested`). */
  readonly #abandon: { promise: Promise<never>; reject: (reason: unknown) => void };
  #graceTimer: NodeJS.Timeout | undefined;
  #settle = (): void => undefined;

  /** Names the run (parsing its parameters); nothing is recorded until {@link RecordedRun.open}. */
  constructor(spec: RunSpec<P, R>, input: P, parent: RunFrame | undefined, rt: Runtime) {
    const { kind, options } = spec;
    const name = options.name;
    this.#adopted = parent === undefined && kind === "flow" ? takeAdoptedRun() : undefined;
    const runId = this.#adopted?.runId ?? randomUUID();
    this.#spec = spec;
    this.#rt = rt;
    this.#parent = parent;
    this.root = parent === undefined;
    const { params, error } = parseParameters(options, input);
    this.#params = params;
    this.#paramError = error;
    this.#flowRun =
      kind === "flow" || parent === undefined
        ? { id: runId, flowName: name, seq: 0, taskCounters: new Map(), warnedMetrics: new Set() }
        : parent.flowRun;
    this.#runName =
      this.#adopted?.runName ??
      (kind === "task" && options.runName === undefined
        ? nextTaskRunName(this.#flowRun, name)
        : renderRunName(options.runName, params, { flowName: name, runId }));
    this.#heartbeatMs = kind === "flow" ? (spec.heartbeatIntervalMs ?? 10_000) : undefined;
    this.#record = new RunRecord(rt.reporter, rt.heartbeats, runId, this.#heartbeatMs);
    // Flow runs can be cancelled one by one (API); a nested one follows its parent's signal too.
    this.#cancel = this.root || kind === "flow" ? new AbortController() : undefined;
    this.#outer =
      parent === undefined
        ? (this.#cancel as AbortController).signal
        : this.#cancel === undefined
          ? parent.signal
          : AbortSignal.any([parent.signal, this.#cancel.signal]);
    let reject: (reason: unknown) => void = () => undefined;
    const promise = new Promise<never>((_, no) => (reject = no));
    promise.catch(() => undefined);
    this.#abandon = { promise, reject };
    this.#active = this.#activeRun();
  }

  /** Whether this run adopted the server's run of a worker (see `executeRun`). */
  get adopted(): boolean {
    return this.#adopted !== undefined;
  }

  /** Records the run as Running and makes it known to the lifecycle and, for a flow run, to the heartbeats. */
  open(): void {
    if (this.#adopted === undefined) this.#record.create(this.#creation());
    else this.#record.adopt();
    this.#rt.lifecycle.add(this.#active);
    this.#rt.activeRuns += 1;
    this.#record.startHeartbeats(() =>
      emitLog(
        this.#frame(this.#outer),
        "warning",
        "The server had marked this run Crashed after its heartbeats stopped arriving (the server was " +
          "unreachable for more than 3 heartbeat intervals, e.g. a network partition). Its heartbeats " +
          "reach the server again: the run is alive and back to Running.",
      ),
    );
  }

  /** Runs the attempts until one ends the run (retrying failures), having recorded its final state. */
  async attempts(): Promise<Outcome<R>> {
    if (this.#paramError !== undefined) return this.#refuseParameters(this.#paramError);
    const { retries, retryDelayMs } = this.#spec.options;
    return runAttempts<Outcome<R>, FailedAttempt>(
      { retries, retryDelayMs, signal: this.#outer },
      (attempt) => this.#attempt(attempt),
      {
        waiting: ({ error, frame }, attempt, retries, delay) => {
          const message = `Attempt ${attempt} of ${retries + 1} failed: ${describe(error)}. Retrying in ${round(delay / 1000)} s.`;
          emitLog(frame, "error", message, { error });
          this.#record.propose("AwaitingRetry", message);
        },
        resuming: (attempt, retries) =>
          this.#record.propose("Retrying", `Attempt ${attempt} of ${retries + 1}.`),
        exhausted: (failure) => this.#fail(failure),
        interrupted: ({ frame, attempt }, reason) => this.#cancelled(frame, attempt, reason),
      },
    );
  }

  /** Takes the run out of the lifecycle and the heartbeats, whatever happened. */
  close(): void {
    this.#rt.lifecycle.remove(this.#record.runId);
    this.#rt.activeRuns -= 1;
    this.#record.stopHeartbeats();
    clearTimeout(this.#graceTimer);
    this.#settle();
  }

  /** One attempt under its deadline, and what it came to. */
  async #attempt(attempt: number): Promise<AttemptResult<Outcome<R>, FailedAttempt>> {
    const name = this.#spec.options.name;
    const deadline = new AttemptDeadline(name, this.#timeoutMs(), this.#outer);
    const frame = this.#frame(deadline.signal);
    const result = await this.#call(attempt, frame, deadline);
    const final = this.#record.final;
    if (final !== undefined) {
      // Finalized by the lifecycle meanwhile (grace period over, process exiting).
      const error = new WeirCancelledError(`"${name}" ended ${final} while it was still running.`);
      return { done: { ok: false, error, waitForExit: this.root } };
    }
    const outer = this.#outer;
    // After the enclosing run aborted, a failure is put down to the abort. A success still counts unless
    // the abort was a cancellation (it does when, e.g., the enclosing run timed out just as this one ended).
    if (outer.aborted && (!result.ok || outer.reason instanceof WeirCancelledError)) {
      if (outer.reason instanceof WeirTimeoutError)
        return { done: await this.#timedOut(frame, attempt, outer.reason) };
      return { done: await this.#cancelled(frame, attempt, outer.reason) };
    }
    if (result.ok) {
      await this.#end(frame, attempt, "Completed", undefined, { result: result.value });
      return { done: result };
    }
    if (deadline.expired) return { done: await this.#timedOut(frame, attempt, deadline.error) };
    return { failed: { error: result.error, frame, attempt } };
  }

  /** Calls the function in the attempt's frame: its result, or its error (the timeout's, past the deadline). */
  async #call(attempt: number, frame: RunFrame, deadline: AttemptDeadline): Promise<Settled<R>> {
    const seed: ContextSeed = {
      runId: this.#record.runId,
      runName: this.#runName,
      flowRunId: this.#flowRun.id,
      signal: deadline.signal,
      logger: frame.logger,
    };
    try {
      const running = runStorage.run(frame, () => this.#spec.call(this.#params, seed, attempt));
      return { ok: true, value: await Promise.race([deadline.race(running), this.#abandon.promise]) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Invalid parameters: the run ends Failed before any attempt (its hooks see attempt 1). */
  async #refuseParameters(error: WeirParameterError): Promise<Outcome<R>> {
    const frame = this.#frame(this.#outer);
    emitLog(frame, "error", error.message);
    await this.#end(frame, 1, "Failed", error.message, { error });
    return { ok: false, error, waitForExit: false };
  }

  async #timedOut(
    frame: RunFrame,
    attempt: number,
    error: WeirTimeoutError | undefined,
  ): Promise<Outcome<R>> {
    const timeout = error as WeirTimeoutError;
    emitLog(frame, "error", timeout.message);
    await this.#end(frame, attempt, "TimedOut", timeout.message, { error: timeout });
    return { ok: false, error: timeout, waitForExit: this.root && this.#rt.lifecycle.stopping !== undefined };
  }

  /** The attempt's time limit: the `timeoutMs` option, or less if the worker's deadline comes first. */
  #timeoutMs(): number | undefined {
    const own = this.#spec.options.timeoutMs;
    const deadlineAt = this.#adopted?.deadlineAt;
    if (deadlineAt === undefined) return own;
    const left = Math.max(0, deadlineAt - Date.now());
    return own === undefined ? left : Math.min(own, left);
  }

  /**
   * A cancel request from the server: `ctx.signal` aborts (the run is already Cancelling there). A function
   * that ignores it is given the grace period, then the run is recorded Cancelled and its call rejects
   * anyway; only a worker can stop the code itself (it kills the process).
   */
  #cancelRequested(): void {
    const cancel = this.#cancel;
    if (cancel === undefined || cancel.signal.aborted || this.#record.final !== undefined) return;
    const reason = new WeirCancelledError(
      "The run was cancelled: a cancel was requested through the Weir API (UI, `weir runs cancel` or " +
        "POST /api/runs/:id/cancel).",
    );
    cancel.abort(reason);
    const graceMs = this.#rt.config.shutdownGraceMs;
    this.#graceTimer = setTimeout(() => {
      const message = `the run did not stop within the ${graceMs / 1000} s grace period after the cancel request`;
      this.#active.finalize("Cancelled", message);
      this.#abandon.reject(reason);
    }, graceMs);
  }

  async #cancelled(frame: RunFrame, attempt: number, reason: unknown): Promise<Outcome<R>> {
    const message =
      reason instanceof WeirCancelledError
        ? reason.message
        : `The enclosing run was aborted: ${describe(reason)}`;
    emitLog(frame, "warning", message);
    const error =
      reason instanceof WeirCancelledError ? reason : new WeirCancelledError(message, { cause: reason });
    await this.#end(frame, attempt, "Cancelled", message, { error });
    return { ok: false, error, waitForExit: this.root && this.#rt.lifecycle.stopping !== undefined };
  }

  async #fail({ error, frame, attempt }: FailedAttempt): Promise<Outcome<R>> {
    const message = describe(error);
    const what = this.#spec.kind === "flow" ? "Flow" : "Task";
    emitLog(frame, "error", `${what} run failed: ${message}`, { error });
    await this.#end(frame, attempt, "Failed", message, { error });
    return { ok: false, error, waitForExit: false };
  }

  /** Records the final state and, if this was the first one, runs its hooks in `frame`. */
  async #end(
    frame: RunFrame,
    attempts: number,
    state: FinalStateType,
    message: string | undefined,
    ending: Ending<P>,
  ): Promise<void> {
    if (this.#record.finish(state, message))
      await runHooks(
        frame,
        hooksFor(this.#spec.options, state),
        this.#hookEvent(state, message, attempts, ending),
      );
  }

  #hookEvent(
    state: FinalStateType,
    message: string | undefined,
    attempts: number,
    ending: Ending<P>,
  ): RunHookEvent<P> {
    return {
      kind: this.#spec.kind,
      name: this.#spec.options.name,
      runId: this.#record.runId,
      runName: this.#runName,
      parameters: this.#params,
      state,
      message,
      error: undefined,
      result: undefined,
      attempts,
      ...ending,
    };
  }

  /** The lifecycle's handle on the run: cancel it on a signal, or end it when the process cannot wait. */
  #activeRun(): ActiveRun {
    return {
      runId: this.#record.runId,
      root: this.root,
      abort: (reason) => {
        if (this.#record.final === undefined && reason instanceof WeirCancelledError)
          this.#record.propose("Cancelling", reason.message);
        this.#cancel?.abort(reason);
      },
      cancelRequested: () => this.#cancelRequested(),
      finalize: (type, message) => {
        if (!this.#record.finish(type, message)) return false;
        // Forced end (grace period over, process exiting): the function may still be running, so the hooks
        // run now, best effort (at process `exit` only their synchronous part runs).
        const event = this.#hookEvent(type, message, 0, {});
        void runHooks(this.#frame(this.#outer), hooksFor(this.#spec.options, type), event);
        return true;
      },
      settled: new Promise<void>((resolve) => (this.#settle = resolve)),
    };
  }

  /** The run's creation record (client times, see {@link RunRecord}). */
  #creation(): RunCreation {
    const { kind, options } = this.#spec;
    const parameters = toJsonRecord(this.#params);
    const heartbeatMs = this.#heartbeatMs;
    return {
      kind,
      flowName: this.#flowRun.flowName,
      ...(kind === "task" ? { taskName: options.name } : {}),
      name: truncate(this.#runName, 200),
      state: "Running",
      ...(this.#parent === undefined ? {} : { parentRunId: this.#parent.runId }),
      ...(kind === "task" ? { flowRunId: this.#flowRun.id } : {}),
      ...(parameters === undefined ? {} : { parameters }),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.description === undefined ? {} : { description: options.description }),
      // The API keeps its field in seconds until its next version.
      ...(heartbeatMs === undefined ? {} : { heartbeatIntervalSeconds: heartbeatMs / 1000 }),
    };
  }

  /** The frame of the run's code (its function, hooks and child runs) under `signal`. */
  #frame(signal: AbortSignal): RunFrame {
    const frame: RunFrame = {
      kind: this.#spec.kind,
      runId: this.#record.runId,
      name: this.#spec.options.name,
      runName: this.#runName,
      flowRun: this.#flowRun,
      signal,
      logPrints: this.#spec.options.logPrints ?? this.#parent?.logPrints ?? false,
      printLogs: this.#rt.config.printLogs,
      reporter: this.#rt.reporter,
      logger: frameLogger(() => frame),
    };
    return frame;
  }
}

function nextTaskRunName(flowRun: FlowRunShared, taskName: string): string {
  const n = (flowRun.taskCounters.get(taskName) ?? 0) + 1;
  flowRun.taskCounters.set(taskName, n);
  return `${taskName}-${n}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
