import { envelope, openState } from "../checkpoint.js";
import type { Checkpoint, RestoreContext } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import { formatPercent } from "../internal/python.js";
import { checkLabel, checkOptions, describe } from "../internal/validate.js";
import type { Label } from "../types.js";
import { ConfusionMatrix } from "./confusion-matrix.js";
import type { Metric } from "./metric.js";

/**
 * Options of metrics computed from a confusion matrix.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix();
 * const acc = new Accuracy({ cm });
 * ```
 */
export interface ClassificationMetricOptions {
  /** A confusion matrix to share with other metrics. Updating any of them updates it. */
  cm?: ConfusionMatrix | undefined;
}

/**
 * Options of binary metrics.
 *
 * @example
 * ```ts
 * new Precision({ cm, posVal: 0 });
 * ```
 */
export interface BinaryMetricOptions extends ClassificationMetricOptions {
  /** The label treated as positive. @default true (which equals 1, as in Python) */
  posVal?: Label | undefined;
}

/** State saved for any confusion-matrix metric (part of the metrics' public types, not of the API). */
export interface CmMetricState {
  cm: Checkpoint;
  posVal?: Label;
  beta?: number;
}

/**
 * Base of the metrics that read a confusion matrix (River's `ClassificationMetric`). Not exported
 * from the package; it stays in the `.d.ts` because the public metrics extend it.
 */
export abstract class ClassificationMetric implements Metric {
  readonly cm: ConfusionMatrix;
  readonly biggerIsBetter: boolean = true;
  readonly requiresLabels: boolean = true;
  protected readonly metricName: string;

  protected constructor(name: string, options: unknown, extraKnown: readonly string[] = []) {
    const opts = checkOptions(options, name, ["cm", ...extraKnown]);
    const cm = opts["cm"];
    if (cm !== undefined && !(cm instanceof ConfusionMatrix)) {
      throw new LearnTypeError(`Option "cm" of ${name} must be a ConfusionMatrix; got ${describe(cm)}.`);
    }
    this.cm = cm ?? new ConfusionMatrix();
    this.metricName = name;
  }

  update(yTrue: Label, yPred: Label, weight = 1.0): this {
    this.cm.update(yTrue, yPred, weight);
    return this;
  }

  revert(yTrue: Label, yPred: Label, weight = 1.0): this {
    this.cm.revert(yTrue, yPred, weight);
    return this;
  }

  abstract get(): number;

  /** `Name: 12.34%`. */
  toString(): string {
    return `${this.metricName}: ${formatPercent(this.get(), 2)}`;
  }

  toJSON(): Checkpoint<CmMetricState> {
    return envelope(this.metricName, this.state());
  }

  protected state(): CmMetricState {
    return { cm: this.cm.toJSON() };
  }
}

/** Base of metrics with a positive class (kept in the `.d.ts`: the public metrics extend it). */
export abstract class BinaryMetric extends ClassificationMetric {
  readonly posVal: Label;

  protected constructor(name: string, options: unknown, extraKnown: readonly string[] = []) {
    super(name, options, ["posVal", ...extraKnown]);
    const pos = (options as { posVal?: unknown } | undefined)?.posVal;
    if (pos !== undefined) checkLabel(pos, name, "options.posVal");
    this.posVal = pos ?? true;
  }

  protected override state(): CmMetricState {
    return { cm: this.cm.toJSON(), posVal: this.posVal };
  }
}

/** Divides, giving 0 on a zero denominator as River does. @internal */
export function safeDiv(a: number, b: number): number {
  return b === 0 ? 0.0 : a / b;
}

/**
 * Reads a confusion-matrix metric's checkpoint into the options that rebuild it: what `extra` reads
 * from the state, and the matrix: the shared one when `{ cm }` is given, else the one saved in it
 * (checked at `state.cm`). A damaged checkpoint throws a `LearnError` naming the bad field. @internal
 *
 * @example
 * ```ts
 * static fromJSON(json: unknown, options?: RestoreContext): Precision {
 *   return new Precision(readMetric(json, "Precision", options, readPosVal));
 * }
 * ```
 */
export function readMetric<O extends object = object>(
  json: unknown,
  type: string,
  context: RestoreContext | undefined,
  extra?: (s: StateNode) => O,
): O & { cm: ConfusionMatrix } {
  const s = openState(json, type);
  const options = extra?.(s) ?? ({} as O);
  if (context?.cm instanceof ConfusionMatrix) return { ...options, cm: context.cm };
  if (s.isNull("cm")) {
    s.fail(".cm", "a ConfusionMatrix checkpoint (or pass the matrix it shared as { cm })", s.raw("cm"));
  }
  return { ...options, cm: s.checkpoint("cm", (c) => ConfusionMatrix.fromJSON(c)) };
}

/** Reads the positive label of a binary metric's checkpoint. @internal */
export function readPosVal(s: StateNode): { posVal: Label } {
  return { posVal: s.label("posVal") };
}
