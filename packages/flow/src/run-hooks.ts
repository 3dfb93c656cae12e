import { describe } from "./errors.js";
import type { RunFrame } from "./run-context.js";
import { emitLog, runStorage } from "./run-context.js";
import type { FinalStateType, RunHook, RunHookEvent, RunOptions } from "./run-options.js";

/** The hooks of `options` for a final state (`onFailure` also serves Failed and TimedOut). Internal. */
export function hooksFor<P>(options: RunOptions<P>, state: FinalStateType): RunHook<P>[] {
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

/**
 * Runs hooks one after the other inside the run's frame (so they can log to the run). A hook that throws
 * is logged to the run and does not change how the run ended. Internal.
 */
export async function runHooks<P>(
  frame: RunFrame,
  hooks: RunHook<P>[],
  event: RunHookEvent<P>,
): Promise<void> {
  for (const hook of hooks) {
    try {
      await runStorage.run(frame, async () => hook(event));
    } catch (error) {
      const message = `The ${event.state} hook "${hook.name || "anonymous"}" threw: ${describe(error)}`;
      emitLog(frame, "error", message, { error });
    }
  }
}
