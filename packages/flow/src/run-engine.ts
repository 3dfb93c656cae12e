import { executeDetached } from "./detached-run.js";
import { WeirCancelledError } from "./errors.js";
import type { Outcome } from "./recorded-run.js";
import { RecordedRun } from "./recorded-run.js";
import { currentFrame } from "./run-context.js";
import type { RunSpec } from "./run-spec.js";
import { getRuntime } from "./runtime.js";

export type { RunSpec } from "./run-spec.js";

/** How long an adopted run waits for the server to learn it is Running before its code starts. */
const ADOPTION_FLUSH_MS = 2000;

/**
 * Runs one call of a flow or task. A task called outside of any flow is a plain call
 * (`executeDetached`). Anything else is a recorded run, in these steps: create the run record
 * (Running; an adopted run waits for it to be delivered) → the attempts, retried by the shared loop, each under its timeout and the run's
 * cancellation → its final state and hooks → leave the lifecycle and heartbeats → for a top-level flow
 * run, flush → return the result or throw. The server is never awaited before the flush. Internal.
 */
export async function executeRun<P, R>(spec: RunSpec<P, R>, input: P): Promise<R> {
  const parent = currentFrame();
  if (spec.kind === "task" && parent === undefined) return executeDetached(spec, input);
  const rt = getRuntime();
  if (rt.lifecycle.stopping !== undefined) {
    throw new WeirCancelledError(
      `"${spec.options.name}" was not started: the process is shutting down (${rt.lifecycle.stopping}).`,
    );
  }
  const run = new RecordedRun(spec, input, parent, rt);
  run.open();
  // A worker's run goes Running on the server before its code starts: synchronous code could hold the
  // event loop for its whole length (one round trip, bounded, whatever the server's state).
  if (run.adopted) await rt.reporter.flush(ADOPTION_FLUSH_MS);
  let outcome: Outcome<R>;
  try {
    outcome = await run.attempts();
  } finally {
    run.close();
  }
  if (run.root) await rt.reporter.flush();
  if (outcome.ok) return outcome.value;
  if (outcome.waitForExit) await rt.lifecycle.waitForExit();
  throw outcome.error;
}
