import { envelope, restore } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
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

/** State saved for any confusion-matrix metric. @internal */
export interface CmMetricState {
  cm: Checkpoint;
  posVal?: Label;
  beta?: number;
}

/**
 * Base of the metrics that read a confusion matrix (River's `ClassificationMetric`). @internal
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

/** Base of metrics with a positive class. @internal */
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

/** The confusion matrix for a metric being restored: the shared one if given. @internal */
export function restoreCm(s: CmMetricState, options?: { cm?: unknown }): ConfusionMatrix {
  if (options?.cm instanceof ConfusionMatrix) return options.cm;
  return restore(s.cm) as ConfusionMatrix;
}
