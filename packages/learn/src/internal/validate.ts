import { LearnTypeError } from "../errors.js";
import type { Label } from "../types.js";

/** Describes a received value for error messages: `number NaN`, `undefined`, `object {…}`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Map) return "a Map";
  return "an object";
}

/** Throws unless `value` is a usable label: a finite number, a string or a boolean. */
export function checkLabel(value: unknown, where: string, arg = "y"): asserts value is Label {
  if (typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number" && Number.isFinite(value)) return;
  throw new LearnTypeError(
    `Argument "${arg}" of ${where} must be a label (a finite number, a string or a boolean); got ${describe(value)}.` +
      (value === undefined ? " Pass the true label of the example." : ""),
  );
}

/** Throws unless `value` is a finite number. */
export function checkFiniteNumber(value: unknown, where: string, arg: string): asserts value is number {
  if (typeof value === "number" && Number.isFinite(value)) return;
  throw new LearnTypeError(`Argument "${arg}" of ${where} must be a finite number; got ${describe(value)}.`);
}

/**
 * What feature values a model accepts. Every model needs finite numbers (`±Infinity` and `NaN`
 * would turn its probabilities into `NaN` for good); count models (multinomial and complement naive
 * Bayes) also need them to be ≥ 0, as River's `POSITIVE_INPUT` tag says.
 */
export type FeatureValues = "finite" | "count";

function badFeatureValue(k: string, v: unknown, where: string, arg: string, values: FeatureValues): never {
  const expected =
    values === "count" ? "a finite number ≥ 0 (a count or a TF-IDF weight)" : "a finite number";
  throw new LearnTypeError(
    `Argument "${arg}" of ${where}: feature ${JSON.stringify(k)} must be ${expected}; got ${describe(v)}.`,
  );
}

/**
 * Iterates features of a `Map` or a record, validating every value (see `FeatureValues`). Calls
 * `fn(name, value)` in insertion order. One type and range check per value, no allocation.
 */
export function forEachFeature(
  x: unknown,
  where: string,
  fn: (name: string, value: number) => void,
  arg = "x",
  values: FeatureValues = "finite",
): void {
  const min = values === "count" ? 0 : -Infinity;
  if (x instanceof Map) {
    for (const [k, v] of x as Map<unknown, unknown>) {
      if (typeof k !== "string") {
        throw new LearnTypeError(
          `Argument "${arg}" of ${where} must map feature names (strings) to numbers; got key ${describe(k)}.`,
        );
      }
      if (typeof v !== "number" || !Number.isFinite(v) || v < min) badFeatureValue(k, v, where, arg, values);
      fn(k, v);
    }
    return;
  }
  if (typeof x !== "object" || x === null || Array.isArray(x)) {
    throw new LearnTypeError(
      `Argument "${arg}" of ${where} must be features (a Map or a record of feature name → number); got ${describe(x)}.` +
        (typeof x === "string"
          ? " Put a vectorizer such as BagOfWords in front of the model (see Pipeline)."
          : ""),
    );
  }
  for (const k of Object.keys(x)) {
    const v = (x as Record<string, unknown>)[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) badFeatureValue(k, v, where, arg, values);
    fn(k, v);
  }
}

const ignore = (): void => undefined;

/** Converts feature input into a `Map` (keeps a `Map` as is after validation). */
export function toFeatureMap(
  x: unknown,
  where: string,
  values: FeatureValues = "finite",
  arg = "x",
): Map<string, number> {
  if (x instanceof Map) {
    forEachFeature(x, where, ignore, arg, values);
    return x as Map<string, number>;
  }
  const out = new Map<string, number>();
  forEachFeature(x, where, (k, v) => out.set(k, v), arg, values);
  return out;
}

/**
 * Validates an options object: it must be a plain object whose keys are all known. Unknown keys
 * are reported with the list of known ones.
 */
export function checkOptions(
  options: unknown,
  where: string,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new LearnTypeError(`Argument "options" of ${where} must be an object; got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new LearnTypeError(
        `Unknown option "${key}" for ${where} (known: ${known.join(", ")}).`,
        "ERR_LEARN_UNKNOWN_OPTION",
      );
    }
  }
  return options as Record<string, unknown>;
}

/** Reads a boolean option with a default. */
export function boolOption(
  opts: Record<string, unknown>,
  key: string,
  where: string,
  dflt: boolean,
): boolean {
  const v = opts[key];
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new LearnTypeError(`Option "${key}" of ${where} must be a boolean; got ${describe(v)}.`);
  }
  return v;
}

/** Reads a number option with a default and an optional check. */
export function numberOption(
  opts: Record<string, unknown>,
  key: string,
  where: string,
  dflt: number,
  check?: { min?: number; exclusiveMin?: number; integer?: boolean; finite?: boolean },
): number {
  const v = opts[key];
  if (v === undefined) return dflt;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new LearnTypeError(`Option "${key}" of ${where} must be a number; got ${describe(v)}.`);
  }
  if (check?.finite === true && !Number.isFinite(v)) {
    throw new LearnTypeError(`Option "${key}" of ${where} must be a finite number; got ${describe(v)}.`);
  }
  if (check?.integer === true && !Number.isInteger(v)) {
    throw new LearnTypeError(`Option "${key}" of ${where} must be an integer; got ${describe(v)}.`);
  }
  if (check?.min !== undefined && v < check.min) {
    throw new LearnTypeError(`Option "${key}" of ${where} must be ≥ ${check.min}; got ${describe(v)}.`);
  }
  if (check?.exclusiveMin !== undefined && v <= check.exclusiveMin) {
    throw new LearnTypeError(
      `Option "${key}" of ${where} must be > ${check.exclusiveMin}; got ${describe(v)}.`,
    );
  }
  return v;
}
