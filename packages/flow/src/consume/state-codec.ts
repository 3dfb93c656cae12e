import { WeirArgumentError } from "../errors.js";

/**
 * How {@link consume} turns its state into a checkpoint and back.
 *
 * Partitioned consumption (several members of a group, each with its own state) will add
 * `merge(a, b)` here, combining two members' states into one (naive Bayes counts are additive:
 * `MultinomialNB.merge`); each member already checkpoints under its own `key`.
 *
 * @example
 * const codec: StateCodec<Map<string, number>> = {
 *   toJSON: (counts) => [...counts],
 *   fromJSON: (json) => new Map(json as [string, number][]),
 * };
 */
export interface StateCodec<S> {
  /**
   * Plain JSON data that stands for `state`. It is called between two events and saved later,
   * while the handler goes on updating the state: return a copy, never a live part of the state.
   */
  toJSON(state: S): unknown;
  /** The state `json` stands for. Throw on a damaged value: the loop stops with the error. */
  fromJSON(json: unknown): S;
}

interface Restorable<S> {
  fromJSON(json: unknown): S;
}

/**
 * The codec of `state`: `codec` when given; else the state's own `toJSON()` with its class's
 * static `fromJSON()` (every `@weir/learn` model, pipeline and metric); else, for plain data
 * (objects, arrays, strings, numbers, booleans, null), a JSON copy.
 *
 * @example
 * stateCodecFor(new MultinomialNB()).fromJSON(saved); // MultinomialNB.fromJSON(saved)
 */
export function stateCodecFor<S>(state: S, codec?: StateCodec<S>): StateCodec<S> {
  if (codec !== undefined) return codec;
  if (typeof state !== "object" || state === null) {
    throw new WeirArgumentError(
      `consume() got the state ${String(state)}: the state is an object the handler updates in place ` +
        "(wrap a number as { count: 0 }).",
    );
  }
  if (typeof (state as { toJSON?: unknown }).toJSON === "function") {
    const type = state.constructor as Partial<Restorable<S>> | undefined;
    if (typeof type?.fromJSON !== "function") {
      throw new WeirArgumentError(
        `consume() got a state (${typeName(state)}) with toJSON() but no static fromJSON() on its class, ` +
          "so it could not be restored: pass { codec: { toJSON, fromJSON } }.",
      );
    }
    const restorable = type as Restorable<S>;
    return {
      toJSON: (value) => (value as { toJSON(): unknown }).toJSON(),
      fromJSON: (json) => restorable.fromJSON(json),
    };
  }
  const odd = firstNonPlain(state, "state");
  if (odd !== undefined) {
    throw new WeirArgumentError(
      `consume() got a state whose ${odd} would not survive a JSON round trip: pass ` +
        "{ codec: { toJSON, fromJSON } } that saves and restores it.",
    );
  }
  return { toJSON: (value) => JSON.parse(JSON.stringify(value)) as unknown, fromJSON: (json) => json as S };
}

/** The path and type of the first value inside `value` that JSON would not give back as it is. */
function firstNonPlain(value: unknown, path: string, depth = 0): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} (${value})`;
  if (typeof value !== "object" || depth > 32) return `${path} (${typeof value})`;
  const prototype = Object.getPrototypeOf(value) as unknown;
  const isArray = Array.isArray(value);
  if (!isArray && prototype !== Object.prototype && prototype !== null)
    return `${path} (a ${typeName(value)})`;
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonPlain(item, isArray ? `${path}[${key}]` : `${path}.${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function typeName(value: object): string {
  return (value.constructor as { name?: string } | undefined)?.name ?? "object";
}
