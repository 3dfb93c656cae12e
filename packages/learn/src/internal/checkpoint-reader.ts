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
  const outer = nesting;
  nesting = `${outer}${path}.`;
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

/**
 * One object of a checkpoint's state, with the path that leads to it. Every accessor checks the
 * field and throws a `LearnError` (`ERR_LEARN_CHECKPOINT`) naming the path when it is wrong.
 */
export class StateNode {
  private constructor(
    private readonly type: string,
    private readonly value: Record<string, unknown>,
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

  private field(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  /** A nested object. */
  node(key: string): StateNode {
    const v = this.field(key);
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(`.${key}`, "an object", v);
    return new StateNode(this.type, v as Record<string, unknown>, `${this.path}.${key}`);
  }

  /** Whether the field is `null` (or absent). */
  isNull(key: string): boolean {
    const v = this.field(key);
    return v === null || v === undefined;
  }

  /** A number within `spec`. */
  number(key: string, spec: NumberSpec = {}): number {
    return this.checkNumber(this.field(key), `.${key}`, spec);
  }

  /** A boolean. */
  boolean(key: string): boolean {
    const v = this.field(key);
    if (typeof v !== "boolean") this.fail(`.${key}`, "a boolean", v);
    return v;
  }

  /** A string. */
  string(key: string): string {
    const v = this.field(key);
    if (typeof v !== "string") this.fail(`.${key}`, "a string", v);
    return v;
  }

  /** An array of raw values, of the given length when one is given. */
  array(key: string, length?: number): unknown[] {
    return this.checkArray(this.field(key), `.${key}`, length);
  }

  /** An array of distinct strings. */
  strings(key: string, length?: number): string[] {
    const a = this.array(key, length);
    const seen = new Set<string>();
    a.forEach((v, i) => {
      if (typeof v !== "string") this.fail(`.${key}[${i}]`, "a string", v);
      if (seen.has(v)) this.fail(`.${key}[${i}]`, "a name not already listed", v);
      seen.add(v);
    });
    return a as string[];
  }

  /** An array of distinct labels (finite numbers, strings or booleans). */
  labels(key: string): Label[] {
    const a = this.array(key);
    const seen = new Set<unknown>();
    a.forEach((v, i) => {
      const ok =
        typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
      if (!ok) this.fail(`.${key}[${i}]`, "a label (a finite number, a string or a boolean)", v);
      if (seen.has(v)) this.fail(`.${key}[${i}]`, "a class not already listed", v);
      seen.add(v);
    });
    return a as Label[];
  }

  /** An array of `length` numbers within `spec`; `label(i)` describes entry `i` in errors. */
  numbers(key: string, length: number, spec: NumberSpec = {}, label?: (i: number) => string): number[] {
    const a = this.array(key, length);
    return a.map((v, i) => this.checkNumber(v, `.${key}[${i}]`, spec, label?.(i)));
  }

  /**
   * A `rows × columns` matrix of numbers (an array of rows) within `spec`, or within `spec(r)` for
   * row `r`; `label(r, c)` describes a cell in errors.
   */
  matrix(
    key: string,
    rows: number,
    columns: number,
    spec: NumberSpec | ((r: number) => NumberSpec),
    label: (r: number, c: number) => string,
  ): number[][] {
    const a = this.array(key, rows);
    return a.map((row, r) => {
      const cells = this.checkArray(row, `.${key}[${r}]`, columns);
      const rowSpec = typeof spec === "function" ? spec(r) : spec;
      return cells.map((v, c) => this.checkNumber(v, `.${key}[${r}][${c}]`, rowSpec, label(r, c)));
    });
  }

  /** An array of `[name, number]` pairs with distinct names. */
  entries(key: string, spec: NumberSpec = {}): [string, number][] {
    const a = this.array(key);
    const seen = new Set<string>();
    return a.map((pair, i) => {
      const p = this.checkArray(pair, `.${key}[${i}]`, 2);
      const name = p[0];
      if (typeof name !== "string") this.fail(`.${key}[${i}][0]`, "a string", name);
      if (seen.has(name)) this.fail(`.${key}[${i}][0]`, "a name not already listed", name);
      seen.add(name);
      return [name, this.checkNumber(p[1], `.${key}[${i}][1]`, spec, JSON.stringify(name))];
    });
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
    const ok =
      typeof v === "number" &&
      !Number.isNaN(v) &&
      (spec.infinite === true || Number.isFinite(v)) &&
      (spec.integer !== true || Number.isInteger(v)) &&
      (spec.min === undefined || v >= spec.min) &&
      (spec.max === undefined || v <= spec.max) &&
      (spec.exclusiveMin === undefined || v > spec.exclusiveMin);
    if (!ok) this.fail(rel, expectedNumber(spec), raw, note === undefined ? "" : ` (${note})`);
    return v;
  }
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
