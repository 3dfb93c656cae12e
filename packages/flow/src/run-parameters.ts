import { WeirParameterError } from "./errors.js";
import type { RunOptions } from "./run-options.js";

/**
 * The parameters of a call as the `parameters` schema returns them, or the {@link WeirParameterError} to
 * end it with: a recorded run ends Failed before its first attempt, a detached task throws it. Internal.
 * @example
 * const { params, error } = parseParameters(options, input);
 */
export function parseParameters<P>(
  options: RunOptions<P>,
  input: P,
): { params: P; error?: WeirParameterError } {
  if (options.parameters === undefined) return { params: input };
  try {
    return { params: options.parameters.parse(input) };
  } catch (cause) {
    return { params: input, error: new WeirParameterError(options.name, cause) };
  }
}
