import { registerCheckpointType } from "../checkpoint.js";
import { LearnError } from "../errors.js";
import { center, formatPercent, pyFloatRepr, pyStr, rstrip } from "../internal/python.js";
import { numberOption } from "../internal/validate.js";
import { Accuracy } from "./accuracy.js";
import { ClassificationMetric, readMetric } from "./classification-metric.js";
import type { ClassificationMetricOptions, CmMetricState } from "./classification-metric.js";
import { F1, MacroF1, MicroF1, WeightedF1 } from "./fbeta.js";
import { printTable } from "./format.js";
import { MacroPrecision, MicroPrecision, WeightedPrecision } from "./precision.js";
import { MacroRecall, MicroRecall, WeightedRecall } from "./recall.js";

/**
 * Options of `ClassificationReport`.
 *
 * @example
 * ```ts
 * new ClassificationReport({ decimals: 3, cm });
 * ```
 */
export interface ClassificationReportOptions extends ClassificationMetricOptions {
  /** Decimals of the percentages. @default 2 */
  decimals?: number | undefined;
}

/**
 * Precision, recall, F1 and support per class plus macro, micro and weighted averages and the
 * accuracy, printed exactly like River's `metrics.ClassificationReport`. `get()` has no single
 * value and throws, as in River; read the text with `toString()`.
 *
 * @example
 * ```ts
 * const report = new ClassificationReport();
 * report.update("pear", "apple").update("banana", "banana");
 * console.log(String(report));
 * ```
 */
export class ClassificationReport extends ClassificationMetric {
  readonly decimals: number;

  constructor(options?: ClassificationReportOptions) {
    super("ClassificationReport", options, ["decimals"]);
    this.decimals = numberOption(
      (options ?? {}) as Record<string, unknown>,
      "decimals",
      "ClassificationReport",
      2,
      { integer: true, min: 0 },
    );
  }

  get(): number {
    throw new LearnError(
      "ClassificationReport has no single value; read it with toString(), or use Accuracy, MacroF1, … for numbers.",
      "ERR_LEARN_UNSUPPORTED",
    );
  }

  override toString(): string {
    const cm = this.cm;
    const d = this.decimals;
    const pct = (x: number): string => formatPercent(x, d);
    const classes = cm.classes;
    const f1s = classes.map((c) => new F1({ cm, posVal: c }));
    const opts = { cm };
    const columns = [
      ["", ...classes.map(pyStr), "", "Macro", "Micro", "Weighted"],
      [
        "",
        ...f1s.map((f) => pct(f.precision.get())),
        "",
        ...[new MacroPrecision(opts), new MicroPrecision(opts), new WeightedPrecision(opts)].map((m) =>
          pct(m.get()),
        ),
      ],
      [
        "",
        ...f1s.map((f) => pct(f.recall.get())),
        "",
        ...[new MacroRecall(opts), new MicroRecall(opts), new WeightedRecall(opts)].map((m) => pct(m.get())),
      ],
      [
        "",
        ...f1s.map((f) => pct(f.get())),
        "",
        ...[new MacroF1(opts), new MicroF1(opts), new WeightedF1(opts)].map((m) => pct(m.get())),
      ],
      ["", ...classes.map((c) => rstrip(rstrip(pyFloatRepr(cm.sumRow(c)), "0"), ".")), "", "", "", ""],
    ];
    const table = printTable(["", "Precision", "Recall", "F1", "Support"], columns);
    const width = (table.split("\n")[0] ?? "").length;
    const accuracy = `${pct(new Accuracy(opts).get())} accuracy`;
    return `${table}\n\n${center(accuracy, width)}`;
  }

  protected override state(): CmMetricState & { decimals?: number } {
    return { ...super.state(), decimals: this.decimals };
  }

  /**
   * Restores a report saved with `toJSON`; pass `{ cm }` to re-attach a shared matrix. A damaged
   * checkpoint throws a `LearnError` (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown, options?: { cm?: unknown }): ClassificationReport {
    return new ClassificationReport(
      readMetric(json, "ClassificationReport", options, (s) => ({
        decimals: s.number("decimals", { integer: true, min: 0 }),
      })),
    );
  }
}

registerCheckpointType("ClassificationReport", (c, ctx) => ClassificationReport.fromJSON(c, ctx));
