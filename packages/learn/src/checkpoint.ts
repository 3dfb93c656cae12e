import { LearnError } from "./errors.js";
import { StateNode, nestedAt } from "./internal/checkpoint-reader.js";
import { describe } from "./internal/validate.js";

/**
 * Version of the checkpoint format written by this release.
 *
 * @example
 * ```ts
 * if (saved.version !== CHECKPOINT_VERSION) console.warn("old checkpoint");
 * ```
 */
export const CHECKPOINT_VERSION = 1;

/**
 * A versioned, JSON-safe snapshot of a stateful object. `JSON.stringify` it, store it, and give
 * the parsed value back to the class's `fromJSON` (or to `restore`).
 *
 * @example
 * ```ts
 * const saved: Checkpoint = model.toJSON();
 * const again = Pipeline.fromJSON(JSON.parse(JSON.stringify(saved)));
 * ```
 */
export interface Checkpoint<S = unknown> {
  format: "@weir/learn";
  version: number;
  type: string;
  state: S;
}

/**
 * Anything that can be saved.
 *
 * @example
 * ```ts
 * const things: Checkpointable[] = [model, cm];
 * const saved = things.map((t) => t.toJSON());
 * ```
 */
export interface Checkpointable {
  toJSON(): Checkpoint;
}

/**
 * Objects to re-attach while restoring: a confusion matrix given here is used by every metric
 * restored in the call instead of the copy saved inside it (metrics that shared a matrix share it
 * again).
 *
 * @example
 * ```ts
 * const cm = metrics.ConfusionMatrix.fromJSON(saved.cm);
 * const pr = restore(saved.pr, { cm }) as metrics.Metrics;
 * ```
 */
export interface RestoreContext {
  cm?: unknown;
}

type Restorer = (json: Checkpoint, context: RestoreContext | undefined) => unknown;
const registry = new Map<string, Restorer>();

/** Registers how to restore a type (each class registers itself). @internal */
export function registerCheckpointType(type: string, restore: Restorer): void {
  registry.set(type, restore);
}

/** Builds a checkpoint envelope. @internal */
export function envelope<S>(type: string, state: S): Checkpoint<S> {
  return { format: "@weir/learn", version: CHECKPOINT_VERSION, type, state };
}

/**
 * Checks a parsed checkpoint and returns its state. Throws a `LearnError` with code
 * `ERR_LEARN_CHECKPOINT` when it is not a checkpoint of the expected type and version.
 */
export function openCheckpoint<S>(json: unknown, type: string): S {
  const c = checkEnvelope(json);
  if (c.type !== type) {
    throw new LearnError(
      `This checkpoint${nestedAt()} holds a ${c.type}, not a ${type}. Restore it with ${c.type}.fromJSON or restore().`,
      "ERR_LEARN_CHECKPOINT",
    );
  }
  return c.state as S;
}

/**
 * Like `openCheckpoint`, but returns the state as a `StateNode` whose accessors validate every
 * field and name its path when it is damaged. @internal
 */
export function openState(json: unknown, type: string): StateNode {
  return StateNode.root(type, openCheckpoint<unknown>(json, type));
}

function checkEnvelope(json: unknown): Checkpoint {
  if (typeof json === "string") {
    throw new LearnError(
      `Expected a parsed checkpoint object${nestedAt()}; got a string. Call JSON.parse first.`,
      "ERR_LEARN_CHECKPOINT",
    );
  }
  if (typeof json !== "object" || json === null || (json as { format?: unknown }).format !== "@weir/learn") {
    throw new LearnError(
      `Not a @weir/learn checkpoint${nestedAt()}: got ${describe(json)}.`,
      "ERR_LEARN_CHECKPOINT",
    );
  }
  const c = json as Checkpoint;
  if (c.version !== CHECKPOINT_VERSION) {
    throw new LearnError(
      `Checkpoint version ${String(c.version)}${nestedAt()} is not supported by this release (it reads version ${CHECKPOINT_VERSION}).`,
      "ERR_LEARN_CHECKPOINT",
    );
  }
  if (typeof c.type !== "string" || typeof c.state !== "object" || c.state === null) {
    throw new LearnError(`Malformed checkpoint${nestedAt()}: missing type or state.`, "ERR_LEARN_CHECKPOINT");
  }
  return c;
}

/**
 * Restores any checkpoint written by this package, whatever its type.
 *
 * @example
 * ```ts
 * const model = restore(JSON.parse(text)) as Pipeline;
 * ```
 */
export function restore(json: unknown, context?: RestoreContext): unknown {
  const c = checkEnvelope(json);
  const fn = registry.get(c.type);
  if (fn === undefined) {
    throw new LearnError(
      `Unknown checkpoint type "${c.type}"${nestedAt()} (known: ${[...registry.keys()].join(", ")}).`,
      "ERR_LEARN_CHECKPOINT",
    );
  }
  return fn(c, context);
}

/** Encodes a number that may be non-finite. @internal */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}
