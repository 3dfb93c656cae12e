/**
 * Helpers for the damaged-checkpoint suites: damage one field of a saved object, and restore it
 * both ways (`Class.fromJSON` and the generic `restore`). Test-only.
 */
import { expect } from "vitest";
import { LearnError, restore } from "../../src/index.js";
import type { RestoreContext } from "../../src/index.js";

type Json = Record<string, unknown>;

/** Pass as the value to `damaged` to delete the field instead. */
export const DELETE = Symbol("delete");

/** The object's checkpoint as parsed JSON, with the value at `path` replaced (or deleted). */
export function damaged(object: { toJSON(): unknown }, path: (string | number)[], value: unknown): unknown {
  const json = JSON.parse(JSON.stringify(object)) as Json;
  let at: Json = json;
  for (const key of path.slice(0, -1)) at = at[key] as Json;
  const last = path[path.length - 1] as string;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return json;
}

/**
 * Restores `json` with `fromJSON` and with `restore` (given `context`), expects both to throw the
 * same `ERR_LEARN_CHECKPOINT` error, and returns its message.
 */
export function restoreError(
  fromJSON: (json: unknown) => unknown,
  json: unknown,
  context?: RestoreContext,
): string {
  const messages = [fromJSON, (j: unknown) => restore(j, context)].map((fn) => {
    try {
      fn(json);
    } catch (e) {
      expect(e).toBeInstanceOf(LearnError);
      expect((e as LearnError).code).toBe("ERR_LEARN_CHECKPOINT");
      return (e as Error).message;
    }
    throw new Error("expected a LearnError, the damaged checkpoint was restored");
  });
  expect(messages[1]).toBe(messages[0]);
  return messages[0] as string;
}

/** What every damaged-checkpoint message ends with. */
export const WHAT_TO_DO =
  " The checkpoint cannot be restored as it is; restore an earlier checkpoint or retrain the model.";
