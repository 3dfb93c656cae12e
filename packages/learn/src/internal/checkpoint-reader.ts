import { LearnError } from "../errors.js";
import type { Label } from "../types.js";
import { describe } from "./validate.js";

/**
 * Reads the `state` of a checkpoint field by field, so that a damaged checkpoint (hand-edited,
 * truncated, written by a buggy tool) fails on restore with the path of the bad field, instead of
 * a raw `TypeError`, `NaN` predictions or silent zeros later.
 */

/** Where the checkpoint being read sits inside the one being restored (`state.steps[1].`). */
let nesting = "";

/**
 * Runs `fn` (which restores a nested checkpoint) with `path` as the nested checkpoint's place in
 * the enclosing one, so that errors name the full path. Restoring is synchronous.
 */
export function restoringAt<T>(path: string, fn: () => T): T {
  return nestedIn(`${nesting}${path}.`, fn);
}

function nestedIn<T>(prefix: string, fn: () => T): T {
  const outer = nesting;
  nesting = prefix;
  try {
    return fn();
  } finally {
    nesting = outer;
  }
}

/** ` at state.steps[1]` while a nested checkpoint is being restored, else `""`. */
export function nestedAt(): string {
  return nesting === "" ? "" : ` at ${nesting.slice(0, -1)}`;
}

/** Constraints on a number read from a checkpoint. `finite` defaults to true. */
export interface NumberSpec {
  min?: number;
  exclusiveMin?: number;
  max?: number;
  integer?: boolean;
  /** Accept `±Infinity`, written as the strings `"Infinity"` / `"-Infinity"` (see `encodeNumber`). */
  infinite?: boolean;
}

function expectedNumber(spec: NumberSpec): string {
  const what = spec.integer === true ? "an integer" : spec.infinite === true ? "a number" : "a finite number";
  const parts: string[] = [];
  if (spec.min !== undefined && spec.max !== undefined) parts.push(`between ${spec.min} and ${spec.max}`);
  else if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  else if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  if (spec.exclusiveMin !== undefined) parts.push(`> ${spec.exclusiveMin}`);
  return parts.length === 0 ? what : `${what} ${parts.join(" and ")}`;
}

function decodeInfinity(v: unknown): unknown {
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

/** Whether `v` (with infinities decoded) is a number within `spec`. */
function numberOk(v: unknown, spec: NumberSpec): v is number {
  return (
    typeof v === "number" &&
    !Number.isNaN(v) &&
    (spec.infinite === true || Number.isFinite(v)) &&
    (spec.integer !== true || Number.isInteger(v)) &&
    (spec.min === undefined || v >= spec.min) &&
    (spec.max === undefined || v <= spec.max) &&
    (spec.exclusiveMin === undefined || v > spec.exclusiveMin)
  );
}

/** A field of an object (`"counts"`) or an entry of an array (`0`). */
type Key = string | number;

function rel(key: Key): string {
  return typeof key === "number" ? `[${key}]` : `.${key}`;
}

function isLabel(v: unknown): v is Label {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

/**
 * One object (or fixed-length array) of a checkpoint's state, with the path that leads to it.
 * Every accessor checks the field and throws a `LearnError` (`ERR_LEARN_CHECKPOINT`) naming the
 * path when it is wrong. Accessors take a field name, or an index on an array node (`tuples`).
 */
export class StateNode {
  private constructor(
    private readonly type: string,
    private readonly value: Readonly<Record<string, unknown>> | readonly unknown[],
    /** Path of this object from the outermost checkpoint, e.g. `state.steps[1].state`. */
    readonly path: string,
  ) {}

  /** The state of a checkpoint of `type`, as returned by `openCheckpoint`. */
  static root(type: string, state: unknown): StateNode {
    const path = `${nesting}state`;
    if (typeof state !== "object" || state === null || Array.isArray(state)) {
      fail(type, path, "an object", state);
    }
    return new StateNode(type, state as Record<string, unknown>, path);
  }

  /**
   * Throws the error for a bad value at this node's path + `rel` (`.key` or `[i]`). `gotText`
   * replaces the description of `got`.
   */
  fail(rel: string, expected: string, got: unknown, note = "", gotText?: string): never {
    fail(this.type, this.path + rel, expected, got, note, gotText);
  }

  /** The field as saved, unchecked (for values any JSON value is fine for). */
  raw(key: Key): unknown {
    if (Array.isArray(this.value)) return typeof key === "number" ? this.value[key] : undefined;
    return typeof key === "string" && Object.hasOwn(this.value, key)
      ? (this.value as Record<string, unknown>)[key]
      : undefined;
  }

  /** A nested object. */
  node(key: Key): StateNode {
    const v = this.raw(key);
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(rel(key), "an object", v);
    return new StateNode(this.type, v as Record<string, unknown>, this.path + rel(key));
  }

  /** An array of objects. */
  nodes(key: Key): StateNode[] {
    const path = this.path + rel(key);
    return this.array(key).map((v, i) => {
      if (typeof v !== "object" || v === null || Array.isArray(v))
        this.fail(`${rel(key)}[${i}]`, "an object", v);
      return new StateNode(this.type, v as Record<string, unknown>, `${path}[${i}]`);
    });
  }

  /** An array of `size`-entry arrays, each read with the index accessors (`t.number(0)`). */
  tuples(key: Key, size: number): StateNode[] {
    const path = this.path + rel(key);
    return this.array(key).map((v, i) => {
      const entries = this.checkArray(v, `${rel(key)}[${i}]`, size);
      return new StateNode(this.type, entries, `${path}[${i}]`);
    });
  }

  /**
   * Restores the checkpoint saved in the field with `restore`; errors inside it name the full path
   * (`state.cm.state.cells[0][2]`).
   */
  checkpoint<T>(key: Key, restore: (json: unknown) => T): T {
    const json = this.raw(key);
    return nestedIn(`${this.path}${rel(key)}.`, () => restore(json));
  }

  /** Restores each checkpoint of the array saved in the field with `restore` (see `checkpoint`). */
  checkpoints<T>(key: Key, restore: (json: unknown) => T): T[] {
    const path = this.path + rel(key);
    return this.array(key).map((json, i) => nestedIn(`${path}[${i}].`, () => restore(json)));
  }

  /** Whether the field is `null` (or absent). */
  isNull(key: Key): boolean {
    const v = this.raw(key);
    return v === null || v === undefined;
  }

  /** A number within `spec`. */
  number(key: Key, spec: NumberSpec = {}): number {
    return this.checkNumber(this.raw(key), rel(key), spec);
  }

  /** A boolean. */
  boolean(key: Key): boolean {
    const v = this.raw(key);
    if (typeof v !== "boolean") this.fail(rel(key), "a boolean", v);
    return v;
  }

  /** A string. */
  string(key: Key): string {
    const v = this.raw(key);
    if (typeof v !== "string") this.fail(rel(key), "a string", v);
    return v;
  }

  /** A label: a finite number, a string or a boolean. */
  label(key: Key): Label {
    const v = this.raw(key);
    if (!isLabel(v)) this.fail(rel(key), "a label (a finite number, a string or a boolean)", v);
    return v;
  }

  /** An array of raw values, of the given length when one is given. */
  array(key: Key, length?: number): unknown[] {
    return this.checkArray(this.raw(key), rel(key), length);
  }

  /** An array of distinct strings. */
  strings(key: Key, length?: number): string[] {
    const a = this.array(key, length);
    const seen = new Set<string>();
    a.forEach((v, i) => {
      if (typeof v !== "string") this.fail(`${rel(key)}[${i}]`, "a string", v);
      if (seen.has(v)) this.fail(`${rel(key)}[${i}]`, "a name not already listed", v);
      seen.add(v);
    });
    return a as string[];
  }

  /** An array of labels (finite numbers, strings or booleans), distinct unless `distinct` is false. */
  labels(key: Key, distinct = true): Label[] {
    const a = this.array(key);
    const seen = new Set<unknown>();
    a.forEach((v, i) => {
      if (!isLabel(v)) this.fail(`${rel(key)}[${i}]`, "a label (a finite number, a string or a boolean)", v);
      if (distinct && seen.has(v)) this.fail(`${rel(key)}[${i}]`, "a class not already listed", v);
      seen.add(v);
    });
    return a as Label[];
  }

  /** An array of `length` numbers within `spec`; `label(i)` describes entry `i` in errors. */
  numbers(key: Key, length: number, spec: NumberSpec = {}, label?: (i: number) => string): number[] {
    const a = this.array(key, length);
    // The path and note of an entry are only built for a bad one (a checkpoint holds 100,000s).
    return a.map((v, i) => {
      const d = spec.infinite === true ? decodeInfinity(v) : v;
      return numberOk(d, spec) ? d : this.checkNumber(v, `${rel(key)}[${i}]`, spec, label?.(i));
    });
  }

  /**
   * A `rows × columns` matrix of numbers (an array of rows) within `spec`, or within `spec(r)` for
   * row `r`; `label(r, c)` describes a cell in errors.
   */
  matrix(
    key: Key,
    rows: number,
    columns: number,
    spec: NumberSpec | ((r: number) => NumberSpec),
    label: (r: number, c: number) => string,
  ): number[][] {
    const a = this.array(key, rows);
    return a.map((row, r) => {
      const cells = this.checkArray(row, `${rel(key)}[${r}]`, columns);
      const rowSpec = typeof spec === "function" ? spec(r) : spec;
      return cells.map((v, c) => {
        const d = rowSpec.infinite === true ? decodeInfinity(v) : v;
        return numberOk(d, rowSpec)
          ? d
          : this.checkNumber(v, `${rel(key)}[${r}][${c}]`, rowSpec, label(r, c));
      });
    });
  }

  /** An array of `[name, number]` pairs with distinct names. */
  entries(key: Key, spec: NumberSpec = {}): [string, number][] {
    const seen = new Set<string>();
    return this.tuples(key, 2).map((pair, i) => {
      const name = pair.string(0);
      if (seen.has(name)) this.fail(`${rel(key)}[${i}][0]`, "a name not already listed", name);
      seen.add(name);
      return [name, pair.checkNumber(pair.raw(1), "[1]", spec, JSON.stringify(name))];
    });
  }

  /**
   * Fails at `rel` unless `saved`, a sum accumulated update by update, is the sum of `terms` (what
   * restoring rebuilds), up to the rounding of another summation order. `what` names the terms.
   */
  checkSum(rel: string, saved: number, terms: readonly number[], what: string, note = ""): void {
    if (!sumMatches(saved, terms)) {
      this.fail(rel, `${terms.reduce((a, b) => a + b, 0)} (${what})`, saved, note);
    }
  }

  private checkArray(v: unknown, rel: string, length?: number): unknown[] {
    if (!Array.isArray(v)) {
      this.fail(rel, length === undefined ? "an array" : `an array of ${length}`, v);
    }
    if (length !== undefined && v.length !== length) {
      this.fail(rel, `an array of ${length}`, v, "", `an array of ${v.length}`);
    }
    return v as unknown[];
  }

  private checkNumber(raw: unknown, rel: string, spec: NumberSpec, note?: string): number {
    const v = spec.infinite === true ? decodeInfinity(raw) : raw;
    if (!numberOk(v, spec)) this.fail(rel, expectedNumber(spec), raw, note === undefined ? "" : ` (${note})`);
    return v;
  }
}

function sumMatches(saved: number, terms: readonly number[]): boolean {
  let sum = 0;
  let magnitude = Math.abs(saved);
  for (const t of terms) {
    sum += t;
    magnitude += Math.abs(t);
  }
  return Math.abs(saved - sum) <= 1e-6 * Math.max(1, magnitude);
}

function fail(
  type: string,
  path: string,
  expected: string,
  got: unknown,
  note = "",
  gotText?: string,
): never {
  throw new LearnError(
    `Damaged ${type} checkpoint: ${path}${note}: expected ${expected}, got ${gotText ?? (got === undefined ? "nothing (the field is missing)" : describe(got))}. ` +
      "The checkpoint cannot be restored as it is; restore an earlier checkpoint or retrain the model.",
    "ERR_LEARN_CHECKPOINT",
  );
}
