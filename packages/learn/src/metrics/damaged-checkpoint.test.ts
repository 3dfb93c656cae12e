import { describe, expect, it } from "vitest";
import { metrics, restore } from "../index.js";
import { DELETE, WHAT_TO_DO, damaged, restoreError } from "../../test/support/damaged-checkpoint.js";

type GroupMember = ConstructorParameters<typeof metrics.Metrics>[0][number];

const { ConfusionMatrix } = metrics;

/** a→a, a→b, b→b: rows a = 2, b = 1; columns a = 1, b = 2; total 3. */
function matrix(): metrics.ConfusionMatrix {
  return new ConfusionMatrix().update("a", "a").update("a", "b").update("b", "b");
}

/** Every metric that reads a confusion matrix, built on `cm`, with how to restore it. */
function cmMetrics(
  cm: metrics.ConfusionMatrix,
): [metrics.Metric, (j: unknown, o?: { cm?: unknown }) => unknown][] {
  return [
    [new metrics.Accuracy({ cm }), (j, o) => metrics.Accuracy.fromJSON(j, o)],
    [new metrics.Precision({ cm, posVal: "a" }), (j, o) => metrics.Precision.fromJSON(j, o)],
    [new metrics.Recall({ cm, posVal: "a" }), (j, o) => metrics.Recall.fromJSON(j, o)],
    [new metrics.FBeta({ cm, beta: 2, posVal: "b" }), (j, o) => metrics.FBeta.fromJSON(j, o)],
    [new metrics.F1({ cm, posVal: "b" }), (j, o) => metrics.F1.fromJSON(j, o)],
    [new metrics.MacroPrecision({ cm }), (j, o) => metrics.MacroPrecision.fromJSON(j, o)],
    [new metrics.MicroPrecision({ cm }), (j, o) => metrics.MicroPrecision.fromJSON(j, o)],
    [new metrics.WeightedPrecision({ cm }), (j, o) => metrics.WeightedPrecision.fromJSON(j, o)],
    [new metrics.MacroRecall({ cm }), (j, o) => metrics.MacroRecall.fromJSON(j, o)],
    [new metrics.MicroRecall({ cm }), (j, o) => metrics.MicroRecall.fromJSON(j, o)],
    [new metrics.WeightedRecall({ cm }), (j, o) => metrics.WeightedRecall.fromJSON(j, o)],
    [new metrics.MacroFBeta({ cm, beta: 0.5 }), (j, o) => metrics.MacroFBeta.fromJSON(j, o)],
    [new metrics.MicroFBeta({ cm, beta: 0.5 }), (j, o) => metrics.MicroFBeta.fromJSON(j, o)],
    [new metrics.WeightedFBeta({ cm, beta: 0.5 }), (j, o) => metrics.WeightedFBeta.fromJSON(j, o)],
    [new metrics.MacroF1({ cm }), (j, o) => metrics.MacroF1.fromJSON(j, o)],
    [new metrics.MicroF1({ cm }), (j, o) => metrics.MicroF1.fromJSON(j, o)],
    [new metrics.WeightedF1({ cm }), (j, o) => metrics.WeightedF1.fromJSON(j, o)],
    [new metrics.ClassificationReport({ cm }), (j, o) => metrics.ClassificationReport.fromJSON(j, o)],
  ];
}

const typeOf = (m: metrics.Metric): string => m.toJSON().type;

describe("restoring a damaged metric checkpoint fails with the path of the bad field", () => {
  it("ConfusionMatrix: missing cells, a string weight, a short cell, a null total, a negative count", () => {
    const from = (j: unknown) => ConfusionMatrix.fromJSON(j);
    const cm = matrix();
    expect(restoreError(from, damaged(cm, ["state", "cells"], DELETE))).toBe(
      "Damaged ConfusionMatrix checkpoint: state.cells: expected an array, got nothing (the field is missing)." +
        WHAT_TO_DO,
    );
    expect(restoreError(from, damaged(cm, ["state", "cells", 0, 2], "1"))).toMatch(
      /^Damaged ConfusionMatrix checkpoint: state\.cells\[0\]\[2\]: expected a finite number, got string "1"\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "cells", 1], ["a", "b"]))).toMatch(
      /state\.cells\[1\]: expected an array of 3, got an array of 2\./,
    );
    // NaN and Infinity are written as null by JSON.stringify.
    expect(restoreError(from, damaged(cm, ["state", "totalWeight"], null))).toMatch(
      /state\.totalWeight: expected a finite number, got null\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "nSamples"], -1))).toMatch(
      /state\.nSamples: expected an integer ≥ 0, got number -1\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "rowSums", 0, 0], { a: 1 }))).toMatch(
      /state\.rowSums\[0\]\[0\]: expected a label \(a finite number, a string or a boolean\), got an object\./,
    );
  });

  it("ConfusionMatrix: sums that do not add up, and cells of classes without sums", () => {
    const from = (j: unknown) => ConfusionMatrix.fromJSON(j);
    const cm = matrix();
    expect(restoreError(from, damaged(cm, ["state", "totalWeight"], 4))).toBe(
      "Damaged ConfusionMatrix checkpoint: state.totalWeight: expected 3 (the sum of state.rowSums), got number 4." +
        WHAT_TO_DO,
    );
    expect(restoreError(from, damaged(cm, ["state", "rowSums", 0, 1], 3))).toMatch(
      /state\.rowSums\[0\]\[1\] \(class "a"\): expected 2 \(the sum of its cells\), got number 3\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "colSums", 1, 1], 1))).toMatch(
      /state\.colSums\[1\]\[1\] \(class "b"\): expected 2 \(the sum of its cells\), got number 1\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "cells", 2, 0], "z"))).toMatch(
      /state\.cells\[2\]\[0\]: expected a true label listed in state\.rowSums, got string "z"\./,
    );
    expect(restoreError(from, damaged(cm, ["state", "cells", 2], ["a", "a", 1]))).toMatch(
      /state\.cells\[2\]: expected a cell not already listed, got \["a","a"\]\./,
    );
    // true and 1 are one class, as in a Python dict.
    const bools = new ConfusionMatrix().update(1, 1).update(0, 0);
    expect(restoreError(from, damaged(bools, ["state", "rowSums", 1, 0], true))).toMatch(
      /state\.rowSums\[1\]\[0\]: expected a class not already listed, got boolean true\./,
    );
  });

  it("every confusion-matrix metric: a missing matrix, and a damaged one named through state.cm", () => {
    for (const [metric, from] of cmMetrics(matrix())) {
      const type = typeOf(metric);
      expect(restoreError(from, damaged(metric, ["state", "cm"], DELETE))).toBe(
        `Damaged ${type} checkpoint: state.cm: expected a ConfusionMatrix checkpoint (or pass the matrix it shared as { cm }), got nothing (the field is missing).` +
          WHAT_TO_DO,
      );
      expect(restoreError(from, damaged(metric, ["state", "cm", "state", "cells", 0, 2], "x"))).toBe(
        'Damaged ConfusionMatrix checkpoint: state.cm.state.cells[0][2]: expected a finite number, got string "x".' +
          WHAT_TO_DO,
      );
      expect(restoreError(from, damaged(metric, ["state", "cm", "state", "totalWeight"], 2))).toMatch(
        /^Damaged ConfusionMatrix checkpoint: state\.cm\.state\.totalWeight: expected 3 \(the sum of state\.cm\.state\.rowSums\), got number 2\./,
      );
    }
  });

  it("binary metrics, F-beta and the report: a missing positive label, an impossible beta or decimals", () => {
    const cm = matrix();
    const precision = new metrics.Precision({ cm, posVal: "a" });
    expect(
      restoreError((j) => metrics.Precision.fromJSON(j), damaged(precision, ["state", "posVal"], DELETE)),
    ).toBe(
      "Damaged Precision checkpoint: state.posVal: expected a label (a finite number, a string or a boolean), got nothing (the field is missing)." +
        WHAT_TO_DO,
    );
    const recall = new metrics.Recall({ cm, posVal: "a" });
    expect(
      restoreError((j) => metrics.Recall.fromJSON(j), damaged(recall, ["state", "posVal"], null)),
    ).toMatch(/^Damaged Recall checkpoint: state\.posVal: expected a label .*, got null\./);
    const fbeta = new metrics.FBeta({ cm, beta: 2 });
    expect(restoreError((j) => metrics.FBeta.fromJSON(j), damaged(fbeta, ["state", "beta"], -1))).toMatch(
      /^Damaged FBeta checkpoint: state\.beta: expected a finite number ≥ 0, got number -1\./,
    );
    const macro = new metrics.MacroFBeta({ cm, beta: 2 });
    expect(
      restoreError((j) => metrics.MacroFBeta.fromJSON(j), damaged(macro, ["state", "beta"], "2")),
    ).toMatch(/^Damaged MacroFBeta checkpoint: state\.beta: expected a finite number ≥ 0, got string "2"\./);
    const report = new metrics.ClassificationReport({ cm });
    const fromReport = (j: unknown) => metrics.ClassificationReport.fromJSON(j);
    expect(restoreError(fromReport, damaged(report, ["state", "decimals"], 1.5))).toMatch(
      /^Damaged ClassificationReport checkpoint: state\.decimals: expected an integer ≥ 0, got number 1\.5\./,
    );
  });

  it("a metric restored with a shared matrix is still checked, and needs no saved matrix", () => {
    const cm = matrix();
    const shared = { cm };
    const precision = new metrics.Precision({ cm, posVal: "a" });
    const from = (j: unknown) => metrics.Precision.fromJSON(j, shared);
    expect(restoreError(from, damaged(precision, ["state", "posVal"], [1]), shared)).toMatch(
      /^Damaged Precision checkpoint: state\.posVal: expected a label .*, got an array\./,
    );
    // As saved inside a Metrics group: no matrix of its own, so it needs the shared one.
    const withoutCm = damaged(precision, ["state", "cm"], null);
    const again = metrics.Precision.fromJSON(withoutCm, shared);
    expect(again.cm).toBe(cm);
    expect(again.get()).toBe(precision.get());
    expect(restoreError((j) => metrics.Precision.fromJSON(j), withoutCm)).toMatch(
      /state\.cm: expected a ConfusionMatrix checkpoint \(or pass the matrix it shared as \{ cm \}\), got null\./,
    );
  });

  it("LogLoss: a string count, a negative count, a null mean, a mean without anything scored", () => {
    const m = new metrics.LogLoss().update(true, 0.8).update(false, 0.4);
    const from = (j: unknown) => metrics.LogLoss.fromJSON(j);
    expect(restoreError(from, damaged(m, ["state", "n"], "2"))).toBe(
      'Damaged LogLoss checkpoint: state.n: expected a finite number ≥ 0, got string "2".' + WHAT_TO_DO,
    );
    expect(restoreError(from, damaged(m, ["state", "n"], -2))).toMatch(
      /state\.n: expected a finite number ≥ 0, got number -2\./,
    );
    expect(restoreError(from, damaged(m, ["state", "mean"], null))).toMatch(
      /state\.mean: expected a finite number, got null\./,
    );
    expect(restoreError(from, damaged(new metrics.LogLoss(), ["state", "mean"], 0.3))).toMatch(
      /state\.mean: expected 0 \(state\.n is 0: nothing was scored\), got number 0\.3\./,
    );
    expect(restoreError(from, damaged(m, ["state", "posVal"], DELETE))).toMatch(
      /state\.posVal: expected a label/,
    );
  });

  it("Rolling: a short window entry, a window longer than its size, a wrapped metric damaged or not a metric", () => {
    const r = new metrics.Rolling(new metrics.Accuracy(), 3);
    [1, 0, 1].forEach((y) => r.update(y, 1));
    const from = (j: unknown) => metrics.Rolling.fromJSON(j);
    expect(restoreError(from, damaged(r, ["state", "window", 1], [0, 1]))).toBe(
      "Damaged Rolling checkpoint: state.window[1]: expected an array of 3, got an array of 2." + WHAT_TO_DO,
    );
    expect(restoreError(from, damaged(r, ["state", "window", 0, 2], null))).toMatch(
      /state\.window\[0\]\[2\]: expected a finite number, got null\./,
    );
    expect(restoreError(from, damaged(r, ["state", "window", 2, 0], null))).toMatch(
      /state\.window\[2\]\[0\]: expected a label \(a finite number, a string or a boolean\), got null\./,
    );
    const logLoss = new metrics.Rolling(new metrics.LogLoss(), 2).update(true, 0.4);
    expect(restoreError(from, damaged(logLoss, ["state", "window", 0, 1], "0.4"))).toMatch(
      /state\.window\[0\]\[1\]: expected a finite number, got string "0\.4"\./,
    );
    expect(restoreError(from, damaged(r, ["state", "windowSize"], 2))).toMatch(
      /state\.window: expected at most 2 updates \(the window size\), got 3\./,
    );
    expect(restoreError(from, damaged(r, ["state", "windowSize"], 0))).toMatch(
      /state\.windowSize: expected an integer ≥ 1, got number 0\./,
    );
    expect(
      restoreError(from, damaged(r, ["state", "metric", "state", "cm", "state", "nSamples"], -3)),
    ).toMatch(
      /^Damaged ConfusionMatrix checkpoint: state\.metric\.state\.cm\.state\.nSamples: expected an integer ≥ 0, got number -3\./,
    );
    expect(restoreError(from, damaged(r, ["state", "metric"], matrix().toJSON()))).toMatch(
      /^Damaged Rolling checkpoint: state\.metric: expected a metric checkpoint, got a ConfusionMatrix\./,
    );
  });

  it("Metrics: a member's damage named through the group, a matrix index out of range, a damaged shared matrix", () => {
    const cm = matrix();
    const group = new metrics.Metrics([
      new metrics.Precision({ cm, posVal: "a" }),
      new metrics.Recall({ cm, posVal: "a" }),
      // A group holds any metric; its type is written for the label-predicting ones.
      new metrics.LogLoss() as unknown as GroupMember,
    ]);
    const from = (j: unknown) => metrics.Metrics.fromJSON(j);
    expect(
      restoreError(from, damaged(group, ["state", "members", 1, "metric", "state", "posVal"], null)),
    ).toBe(
      "Damaged Recall checkpoint: state.members[1].metric.state.posVal: expected a label (a finite number, a string or a boolean), got null." +
        WHAT_TO_DO,
    );
    expect(restoreError(from, damaged(group, ["state", "members", 0, "cm"], 1))).toMatch(
      /^Damaged Metrics checkpoint: state\.members\[0\]\.cm: expected an integer between 0 and 0, got number 1\./,
    );
    expect(restoreError(from, damaged(group, ["state", "cms", 0, "state", "totalWeight"], 9))).toMatch(
      /^Damaged ConfusionMatrix checkpoint: state\.cms\[0\]\.state\.totalWeight: expected 3 /,
    );
    expect(restoreError(from, damaged(group, ["state", "separator"], DELETE))).toMatch(
      /state\.separator: expected a string, got nothing/,
    );
    // A member without a matrix index restores on its own: its missing matrix is named.
    expect(restoreError(from, damaged(group, ["state", "members", 0, "cm"], null))).toMatch(
      /^Damaged Precision checkpoint: state\.members\[0\]\.metric\.state\.cm: expected a ConfusionMatrix checkpoint/,
    );
    // With a shared matrix, members are still checked.
    const shared = { cm };
    expect(
      restoreError(
        (j) => metrics.Metrics.fromJSON(j, shared),
        damaged(group, ["state", "members", 2, "metric", "state", "n"], -1),
        shared,
      ),
    ).toMatch(
      /^Damaged LogLoss checkpoint: state\.members\[2\]\.metric\.state\.n: expected a finite number ≥ 0/,
    );
  });
});

describe("valid metric checkpoints still restore exactly", () => {
  it("restores every metric to the same value, text and checkpoint, on its own and with a shared matrix", () => {
    const cm = matrix();
    for (const [metric, from] of cmMetrics(cm)) {
      const saved = JSON.parse(JSON.stringify(metric)) as unknown;
      for (const again of [from(saved), restore(saved)] as metrics.Metric[]) {
        expect(JSON.stringify(again)).toBe(JSON.stringify(metric));
        expect(String(again)).toBe(String(metric));
        if (!(metric instanceof metrics.ClassificationReport)) expect(again.get()).toBe(metric.get());
      }
      const attached = restore(saved, { cm }) as metrics.Metric & { cm: unknown };
      expect(attached.cm).toBe(cm);
    }
  });

  it("restores a matrix whose fractional and reverted weights left rounding residues", () => {
    const cm = new ConfusionMatrix({ classes: ["a", "b", "a"] });
    const weights = [0.1, 0.2, 0.7, 1e-9, 3.3];
    for (let i = 0; i < 500; i++)
      cm.update(i % 3 === 0 ? "a" : "b", i % 2 === 0 ? "a" : true, weights[i % 5]);
    for (let i = 0; i < 499; i++)
      cm.revert(i % 3 === 0 ? "a" : "b", i % 2 === 0 ? "a" : true, weights[i % 5]);
    const again = ConfusionMatrix.fromJSON(JSON.parse(JSON.stringify(cm)));
    expect(JSON.stringify(again)).toBe(JSON.stringify(cm));
    expect(again.classes).toEqual(cm.classes);
  });

  it("restores LogLoss, Rolling and a Metrics group with their values and checkpoints", () => {
    const cm = matrix();
    const objects = [
      new metrics.LogLoss({ posVal: "a" }).update("a", 0.3).update("b", 0.6),
      new metrics.Rolling(new metrics.MacroF1(), 2).update(1, 1).update(1, 0).update(0, 0),
      new metrics.Metrics(
        [new metrics.Precision({ cm, posVal: "b" }), new metrics.LogLoss() as unknown as GroupMember],
        " | ",
      ),
    ];
    for (const m of objects) {
      const again = restore(JSON.parse(JSON.stringify(m))) as typeof m;
      expect(JSON.stringify(again)).toBe(JSON.stringify(m));
      expect(again.get()).toEqual(m.get());
      expect(String(again)).toBe(String(m));
    }
  });
});
