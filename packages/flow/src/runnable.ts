import { installConsoleCapture } from "./console-capture.js";
import { executeRun } from "./run-engine.js";
import type { RunOptions } from "./run-options.js";
import { validateRunOptions } from "./run-options.js";
import type { RunSpec } from "./run-spec.js";

/** Call arguments: the parameters are optional when the flow or task takes none. */
export type ParamsArgs<P> = [P] extends [void]
  ? [params?: P]
  : undefined extends P
    ? [params?: P]
    : [params: P];

/** A flow or a task as a function: each call is one run. */
export interface Runnable<P, R, O extends RunOptions<P>> {
  (...args: ParamsArgs<P>): Promise<R>;
  readonly options: Readonly<O>;
}

/**
 * What `flow()` and `task()` both do to define one: refuse options the server would refuse (at definition
 * time, not as dropped runs later), capture `console.*` if asked, and return the function that hands
 * each call to the run engine, carrying its options and `names` (`flowName`, `taskName`). Internal.
 * @example
 * const double = defineRunnable({ kind: "task", options, call: async (n: number) => n * 2 }, { taskName: "double" });
 */
export function defineRunnable<P, R, O extends RunOptions<P>, N extends object>(
  spec: RunSpec<P, R> & { options: O },
  names: N,
): Runnable<P, R, O> & N {
  validateRunOptions(spec.kind, spec.options);
  if (spec.options.logPrints) installConsoleCapture();
  const run = (...args: ParamsArgs<P>): Promise<R> => executeRun(spec, args[0] as P);
  return Object.assign(run, names, { options: spec.options });
}
