import { AttemptDeadline } from "./attempt-deadline.js";
import { describe, WeirTimeoutError } from "./errors.js";
import { createLogger, printLine } from "./logger.js";
import { runAttempts } from "./run-attempts.js";
import { parseParameters } from "./run-parameters.js";
import type { RunSpec } from "./run-spec.js";

/**
 * A task called outside of any flow: a plain call with retries and timeout, recorded nowhere (it does not
 * even start the client). A timeout is not retried; the last error is thrown as it is. Internal.
 */
export async function executeDetached<P, R>(spec: RunSpec<P, R>, input: P): Promise<R> {
  const { options } = spec;
  const name = options.name;
  const { params, error: invalid } = parseParameters(options, input);
  if (invalid !== undefined) throw invalid;
  const origin = `Task '${name}' (no run)`;
  const logger = createLogger((level, message, fields) => printLine(level, origin, message, fields));
  return runAttempts<R, unknown>(
    options,
    async (attempt) => {
      const deadline = new AttemptDeadline(name, options.timeoutMs);
      const seed = { runId: "", runName: name, flowRunId: "", signal: deadline.signal, logger };
      try {
        return { done: await deadline.race(spec.call(params, seed, attempt)) };
      } catch (error) {
        if (error instanceof WeirTimeoutError) throw error;
        return { failed: error };
      }
    },
    {
      waiting: (error, attempt) =>
        printLine("error", origin, `Attempt ${attempt} failed: ${describe(error)}`),
      exhausted: (error) => {
        throw error;
      },
    },
  );
}
