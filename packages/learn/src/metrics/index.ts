/**
 * The `metrics` namespace: `import { metrics } from "@weir/learn"; new metrics.Accuracy()`.
 *
 * @example
 * ```ts
 * const cm = new metrics.ConfusionMatrix();
 * const pr = new metrics.Metrics([new metrics.Precision({ cm, posVal: 0 }), new metrics.Recall({ cm, posVal: 0 })]);
 * ```
 */
export { ConfusionMatrix } from "./confusion-matrix.js";
export type { ConfusionMatrixOptions } from "./confusion-matrix.js";
export type { Metric } from "./metric.js";
export type { BinaryMetricOptions, ClassificationMetricOptions } from "./classification-metric.js";
export { Accuracy } from "./accuracy.js";
export { Precision, MacroPrecision, MicroPrecision, WeightedPrecision } from "./precision.js";
export { Recall, MacroRecall, MicroRecall, WeightedRecall } from "./recall.js";
export { FBeta, F1, MacroFBeta, MacroF1, MicroFBeta, MicroF1, WeightedFBeta, WeightedF1 } from "./fbeta.js";
export type { FBetaOptions } from "./fbeta.js";
export { LogLoss } from "./log-loss.js";
export type { LogLossOptions } from "./log-loss.js";
export { ClassificationReport } from "./classification-report.js";
export type { ClassificationReportOptions } from "./classification-report.js";
export { Metrics } from "./metrics-group.js";
export { Rolling } from "./rolling.js";
