import { randomUUID } from "node:crypto";
import { describe, WeirCancelledError, WeirParameterError, WeirTimeoutError } from "./errors.js";
import { toJsonRecord } from "./json-safe.js";
import type { ActiveRun } from "./lifecycle.js";
import type { RunLogger } from "./logger.js";
import { createLogger, printLine } from "./logger.js";
import { retryDelayFor, sleep } from "./retry-policy.js";
import type { FlowRunShared, RunFrame } from "./run-context.js";
import { currentFrame, emitLog, frameLogger, runStorage, truncate } from "./run-context.js";
import { renderRunName } from "./run-names.js";
import type { FinalStateType, RunHook, RunHookEvent, RunOptions } from "./run-options.js";
import { getRuntime } from "./runtime.js";
import type { RunStateType } from "./wire.js";

/** What `flow()`/`task()` hand to the engine. Internal. */
export interface RunSpec<P, R> {
  kind: "flow" | "task";
  options: RunOptions<P>;
  heartbeatIntervalSeconds?: number;
  /** Calls the user function with a context built from the seed. */
  call(params: P, seed: ContextSeed, attempt: number): Promise<R>;
}

/** What a flow/task context is built from. Internal. */
export interface ContextSeed {
  runId: string;
  runName: string;
  /** The enclosing flow run (empty for a task called outside of a flow). */
  flowRunId: string;
  signal: AbortSignal;
  logger: RunLogger;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; waitForExit: boolean };

/**
 * Runs one flow or task run: records it (creation, Running, AwaitingRetry/Retrying, final state) through
 * the reporter without waiting for the server, applies retries, the timeout and cancellation, runs the
 * hooks, and for a top-level flow run flushes before returning.
 */
export async function executeRun<P, R>(spec: RunSpec<P, R>, input: P): Promise<R> {
  const parent = currentFrame();
  if (spec.kind === "task" && parent === undefined) return executeDetached(spec, input);
  const rt = getRuntime();
  const { options, kind } = spec;
  const name = options.name;
  if (rt.lifecycle.stopping !== undefined) {
    throw new WeirCancelledError(
      `"${name}" was not started: the process is shutting down (${rt.lifecycle.stopping}).`,
    );
  }
  const runId = randomUUID();
  let params = input;
  let paramError: WeirParameterError | undefined;
  if (options.parameters !== undefined) {
    try {
      params = options.parameters.parse(input);
    } catch (cause) {
      paramError = new WeirParameterError(name, cause);
    }
  }
  const flowRun: FlowRunShared =
    kind === "flow" || parent === undefined
      ? { id: runId, flowName: name, seq: 0, taskCounters: new Map(), warnedMetrics: new Set() }
      : parent.flowRun;
  const runName =
    kind === "task" && options.runName === undefined
      ? nextTaskRunName(flowRun, name)
      : renderRunName(options.runName, params, { flowName: name, runId });
  const root = parent === undefined;
  const heartbeatSeconds = kind === "flow" ? (spec.heartbeatIntervalSeconds ?? 10) : undefined;
  const parameters = toJsonRecord(params);
  // The client's clock for every time of the run (start, state changes, end): the server may receive
  // them a second later, or after a spool replay hours later; it keeps its receipt time apart.
  rt.reporter.enqueue({
    t: "run",
    body: {
      timestamp: new Date().toISOString(),
      id: runId,
      kind,
      flowName: flowRun.flowName,
      ...(kind === "task" ? { taskName: name } : {}),
      name: truncate(runName, 200),
      state: "Running",
      ...(parent === undefined ? {} : { parentRunId: parent.runId }),
      ...(kind === "task" ? { flowRunId: flowRun.id } : {}),
      ...(parameters === undefined ? {} : { parameters }),
      ...(options.tags === undefined ? {} : { tags: options.tags }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(heartbeatSeconds === undefined ? {} : { heartbeatIntervalSeconds: heartbeatSeconds }),
    },
  });

  let final: FinalStateType | undefined;
  const propose = (type: RunStateType, message?: string): void => {
    rt.reporter.enqueue({
      t: "state",
      state: {
        runId,
        id: randomUUID(),
        type,
        timestamp: new Date().toISOString(),
        ...(message === undefined ? {} : { message: truncate(message, 10_000) }),
      },
    });
  };
  const finish = (type: FinalStateType, message?: string): boolean => {
    if (final !== undefined) return false;
    final = type;
    propose(type, message);
    if (heartbeatSeconds !== undefined) rt.heartbeats.stop(runId);
    return true;
  };

  const hookBase = { kind, name, runId, runName, parameters: params };
  const cancel = root ? new AbortController() : undefined;
  const outer = cancel?.signal ?? (parent as RunFrame).signal;
  let settle = (): void => undefined;
  const active: ActiveRun = {
    runId,
    root,
    abort: (reason) => {
      if (final === undefined) propose("Cancelling", reason.message);
      cancel?.abort(reason);
    },
    finalize: (type, message) => {
      if (!finish(type, message)) return false;
      // Forced end (grace period over, process exiting): the function may still be running, so the hooks
      // run now, best effort (at process `exit` only their synchronous part runs).
      const frame = makeFrame(outer);
      const event = { ...hookBase, state: type, message, error: undefined, result: undefined, attempts: 0 };
      void runHooks(frame, hooksFor(options, type), event);
      return true;
    },
    settled: new Promise<void>((resolve) => (settle = resolve)),
  };
  rt.lifecycle.add(active);
  rt.activeRuns += 1;
  if (heartbeatSeconds !== undefined)
    rt.heartbeats.start(runId, heartbeatSeconds, () =>
      emitLog(
        makeFrame(outer),
        "warning",
        "The server had marked this run Crashed after its heartbeats stopped arriving (the server was " +
          "unreachable for more than 3 heartbeat intervals, e.g. a network partition). Its heartbeats " +
          "reach the server again: the run is alive and back to Running.",
      ),
    );

  const makeFrame = (signal: AbortSignal): RunFrame => {
    const frame: RunFrame = {
      kind,
      runId,
      name,
      runName,
      flowRun,
      signal,
      logPrints: options.logPrints ?? parent?.logPrints ?? false,
      printLogs: rt.config.printLogs,
      reporter: rt.reporter,
      logger: frameLogger(() => frame),
    };
    return frame;
  };

  let outcome: Outcome<R>;
  try {
    outcome = await attemptLoop();
  } finally {
    rt.lifecycle.remove(runId);
    rt.activeRuns -= 1;
    if (heartbeatSeconds !== undefined) rt.heartbeats.stop(runId);
    settle();
  }
  if (root) await rt.reporter.flush();
  if (outcome.ok) return outcome.value;
  if (outcome.waitForExit) await rt.lifecycle.waitForExit();
  throw outcome.error;

  async function attemptLoop(): Promise<Outcome<R>> {
    const retries = Math.max(0, Math.floor(options.retries ?? 0));
    for (let attempt = 1; ; attempt++) {
      const timeoutSeconds = options.timeoutSeconds;
      const timeout = timeoutSeconds === undefined ? undefined : new AbortController();
      const timeoutError =
        timeoutSeconds === undefined ? undefined : new WeirTimeoutError(name, timeoutSeconds);
      const signal = timeout === undefined ? outer : AbortSignal.any([outer, timeout.signal]);
      const frame = makeFrame(signal);
      const end = async (
        type: FinalStateType,
        message: string | undefined,
        extra: Partial<RunHookEvent<P>>,
      ) => {
        const recorded = finish(type, message);
        if (recorded)
          await runHooks(frame, hooksFor(options, type), {
            ...hookBase,
            state: type,
            message,
            error: undefined,
            result: undefined,
            attempts: attempt,
            ...extra,
          });
      };
      if (paramError !== undefined) {
        emitLog(frame, "error", paramError.message);
        await end("Failed", paramError.message, { error: paramError });
        return { ok: false, error: paramError, waitForExit: false };
      }
      let result: { ok: true; value: R } | { ok: false; error: unknown };
      try {
        const seed = { runId, runName, flowRunId: flowRun.id, signal, logger: frame.logger };
        const running = runStorage.run(frame, () => spec.call(params, seed, attempt));
        const value = await (timeout === undefined
          ? running
          : withTimeout(
              running,
              (timeoutSeconds as number) * 1000,
              timeout,
              timeoutError as WeirTimeoutError,
            ));
        result = { ok: true, value };
      } catch (error) {
        result = { ok: false, error };
      }
      if (final !== undefined) {
        // Finalized by the lifecycle meanwhile (grace period over, process exiting).
        const error = new WeirCancelledError(`"${name}" ended ${final} while it was still running.`);
        return { ok: false, error, waitForExit: root };
      }
      const cancelled = outer.aborted && (result.ok ? outer.reason instanceof WeirCancelledError : true);
      if (!cancelled && result.ok) {
        await end("Completed", undefined, { result: result.value });
        return result;
      }
      if (!cancelled && timeout?.signal.aborted && timeout.signal.reason === timeoutError) {
        const error = timeoutError as WeirTimeoutError;
        emitLog(frame, "error", error.message);
        await end("TimedOut", error.message, { error });
        return { ok: false, error, waitForExit: false };
      }
      if (cancelled) {
        return cancelOutcome(frame, outer.reason, end);
      }
      const error = (result as { error: unknown }).error;
      if (attempt <= retries) {
        const delay = retryDelayFor(options.retryDelaySeconds, attempt);
        const message = `Attempt ${attempt} of ${retries + 1} failed: ${describe(error)}. Retrying in ${round(delay)} s.`;
        emitLog(frame, "error", message, { error });
        propose("AwaitingRetry", message);
        try {
          await sleep(delay * 1000, outer);
        } catch (reason) {
          return cancelOutcome(frame, reason, end);
        }
        propose("Retrying", `Attempt ${attempt + 1} of ${retries + 1}.`);
        continue;
      }
      const message = describe(error);
      emitLog(frame, "error", `${kind === "flow" ? "Flow" : "Task"} run failed: ${message}`, { error });
      await end("Failed", message, { error });
      return { ok: false, error, waitForExit: false };
    }
  }

  async function cancelOutcome(
    frame: RunFrame,
    reason: unknown,
    end: (
      type: FinalStateType,
      message: string | undefined,
      extra: Partial<RunHookEvent<P>>,
    ) => Promise<void>,
  ): Promise<Outcome<R>> {
    const message =
      reason instanceof WeirCancelledError
        ? reason.message
        : `The enclosing run was aborted: ${describe(reason)}`;
    emitLog(frame, "warning", message);
    const error =
      reason instanceof WeirCancelledError ? reason : new WeirCancelledError(message, { cause: reason });
    await end("Cancelled", message, { error });
    return { ok: false, error, waitForExit: root && rt.lifecycle.stopping !== undefined };
  }
}

function withTimeout<R>(
  running: Promise<R>,
  ms: number,
  controller: AbortController,
  error: Error,
): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
}

function hooksFor<P>(options: RunOptions<P>, state: FinalStateType): RunHook<P>[] {
  const hook =
    state === "Completed"
      ? options.onCompletion
      : state === "Crashed"
        ? options.onCrashed
        : state === "Cancelled"
          ? options.onCancellation
          : options.onFailure;
  return hook === undefined ? [] : Array.isArray(hook) ? hook : [hook];
}

async function runHooks<P>(frame: RunFrame, hooks: RunHook<P>[], event: RunHookEvent<P>): Promise<void> {
  for (const hook of hooks) {
    try {
      await runStorage.run(frame, async () => hook(event));
    } catch (error) {
      emitLog(
        frame,
        "error",
        `The ${event.state} hook "${hook.name || "anonymous"}" threw: ${describe(error)}`,
        {
          error,
        },
      );
    }
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

/** A task called outside of any flow: a plain call with retries and timeout, recorded nowhere. */
async function executeDetached<P, R>(spec: RunSpec<P, R>, input: P): Promise<R> {
  const { options } = spec;
  const name = options.name;
  const params = options.parameters === undefined ? input : parseOrThrow(options, input);
  const retries = Math.max(0, Math.floor(options.retries ?? 0));
  const origin = `Task '${name}' (no run)`;
  const logger = createLogger((level, message, fields) => printLine(level, origin, message, fields));
  for (let attempt = 1; ; attempt++) {
    const seconds = options.timeoutSeconds;
    const timeout = new AbortController();
    const seed = { runId: "", runName: name, flowRunId: "", signal: timeout.signal, logger };
    try {
      const running = spec.call(params, seed, attempt);
      return await (seconds === undefined
        ? running
        : withTimeout(running, seconds * 1000, timeout, new WeirTimeoutError(name, seconds)));
    } catch (error) {
      if (error instanceof WeirTimeoutError || attempt > retries) throw error;
      printLine("error", origin, `Attempt ${attempt} failed: ${describe(error)}`);
      await sleep(retryDelayFor(options.retryDelaySeconds, attempt) * 1000);
    }
  }
}

function parseOrThrow<P>(options: RunOptions<P>, input: P): P {
  try {
    return (options.parameters as NonNullable<RunOptions<P>["parameters"]>).parse(input);
  } catch (cause) {
    throw new WeirParameterError(options.name, cause);
  }
}
