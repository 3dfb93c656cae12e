import type { Label } from "../types.js";
import { safeDiv } from "./classification-metric.js";
import type { ConfusionMatrix } from "./confusion-matrix.js";

/**
 * The arithmetic of River's multi-class precision, recall and F-beta, written once: per-class
 * scores and their macro, micro and weighted averages (River's `MacroPrecision` … `WeightedFBeta`).
 * The order of every operation is River's, so that results agree to the last bit. @internal
 */

/** Precision divides a class's true positives by its predictions, recall by its true examples. */
export type Side = "precision" | "recall";

/** Macro: each class counts once. Weighted: each class counts as often as it truly occurs. */
export type Average = "macro" | "weighted";

/** A per-class score; `weighted` asks for it multiplied by the class's support, as River does. */
export type ClassScore = (cm: ConfusionMatrix, c: Label, weighted: boolean) => number;

function margin(cm: ConfusionMatrix, c: Label, side: Side): number {
  return side === "precision" ? cm.sumCol(c) : cm.sumRow(c);
}

/** Precision or recall of class `c` (0 when it divides by zero), River's `cm[c][c] / sum`. */
export function classScore(cm: ConfusionMatrix, c: Label, side: Side, weighted: boolean): number {
  const den = margin(cm, c, side);
  // `support * tp / den` in River's weighted averages; `1 * tp` is exactly `tp`.
  return den === 0 ? 0 : ((weighted ? cm.sumRow(c) : 1) * cm.get(c, c)) / den;
}

/** Per-class precision, as a `ClassScore`. */
export const precisionOf: ClassScore = (cm, c, weighted) => classScore(cm, c, "precision", weighted);

/** Per-class recall, as a `ClassScore`. */
export const recallOf: ClassScore = (cm, c, weighted) => classScore(cm, c, "recall", weighted);

/** F-beta of a precision and a recall, with `b2 = beta²`; 0 when both are 0. */
export function fbeta(p: number, r: number, b2: number): number {
  const den = b2 * p + r;
  return den === 0 ? 0.0 : ((1 + b2) * p * r) / den;
}

/** Per-class F-beta of the per-class precision and recall, as a `ClassScore`. */
export function fbetaOf(beta: number): ClassScore {
  const b2 = beta ** 2;
  return (cm, c, weighted) => fbeta(precisionOf(cm, c, weighted), recallOf(cm, c, weighted), b2);
}

/** The macro or weighted average of a per-class score over the matrix's classes. */
export function average(cm: ConfusionMatrix, kind: Average, score: ClassScore): number {
  const classes = cm.classes;
  const weighted = kind === "weighted";
  let total = 0;
  for (const c of classes) total += score(cm, c, weighted);
  return safeDiv(total, weighted ? cm.totalWeight : classes.length);
}

/** The micro average: precision or recall of all classes pooled. */
export function micro(cm: ConfusionMatrix, side: Side): number {
  let num = 0;
  let den = 0;
  for (const c of cm.classes) {
    num += cm.get(c, c);
    den += margin(cm, c, side);
  }
  return safeDiv(num, den);
}
