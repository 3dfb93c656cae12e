import { describe, expect, it } from "vitest";
import { metrics, restore } from "../index.js";

describe("metrics", () => {
  it("LogLoss follows River's doctest step by step and prints like River", () => {
    const m = new metrics.LogLoss();
    const t = [true, false, false, true];
    const p = [0.9, 0.1, 0.2, 0.65];
    const got = t.map((y, i) => m.update(y, p[i] as number).get());
    // River prints 0.105360, 0.105360, 0.144621, 0.216161 (doctest NUMBER: within 1e-6).
    [0.10536, 0.10536, 0.144621, 0.216161].forEach((e, i) =>
      expect(Math.abs((got[i] as number) - e)).toBeLessThan(1e-6),
    );
    expect(String(m)).toMatch(/^LogLoss: 0\.21616\d+$/);
    expect(
      new metrics.LogLoss()
        .update(
          1,
          new Map([
            [0, 0.2],
            [1, 0.8],
          ]),
        )
        .get(),
    ).toBe(-Math.log(0.8));
  });

  it("shares one confusion matrix between metrics through the cm option", () => {
    const cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
    const pr = new metrics.Metrics([
      new metrics.Precision({ cm, posVal: 0 }),
      new metrics.Recall({ cm, posVal: 0 }),
    ]);
    cm.update(0, 0).update(0, 1).update(1, 0);
    expect(pr.get()).toEqual([0.5, 0.5]);
    expect(String(pr)).toBe("Precision: 50.00%\nRecall: 50.00%");
  });

  it("reverts updates exactly", () => {
    const acc = new metrics.Accuracy();
    acc.update(1, 1).update(1, 0).revert(1, 0);
    expect(acc.get()).toBe(1);
    expect(acc.cm.classes).toEqual([1]);
    acc.revert(1, 1);
    expect(acc.get()).toBe(0);
    expect(String(acc.cm)).toBe("");
  });

  it("gives 0 on a zero division", () => {
    expect([
      new metrics.Precision().get(),
      new metrics.Recall().get(),
      new metrics.F1().get(),
      new metrics.MacroF1().get(),
    ]).toEqual([0, 0, 0, 0]);
  });

  it("rolls a metric over a window", () => {
    const acc = new metrics.Rolling(new metrics.Accuracy(), 2);
    acc.update(1, 1).update(1, 0);
    expect(acc.get()).toBe(0.5);
    acc.update(1, 0);
    expect(acc.get()).toBe(0);
    expect(acc.size).toBe(2);
    expect(String(acc)).toBe("Accuracy: 0.00%");
  });

  it("computes micro and weighted F1 like River's doctests", () => {
    const micro = new metrics.MicroF1();
    [0, 1, 2, 2, 0].forEach((y, i) => micro.update(y, [0, 1, 1, 2, 1][i] as number));
    expect(String(micro)).toBe("MicroF1: 60.00%");
    const weighted = new metrics.WeightedF1();
    const steps = [0, 1, 2, 2, 2].map((y, i) => String(weighted.update(y, [0, 0, 2, 2, 1][i] as number)));
    expect(steps).toEqual(["100.00%", "33.33%", "55.56%", "66.67%", "61.33%"].map((v) => `WeightedF1: ${v}`));
  });

  it("counts true and 1 as the same label, as Python does", () => {
    const cm = new metrics.ConfusionMatrix();
    cm.update(1, true).update(0, false);
    expect(cm.get(1, 1)).toBe(1);
    expect(cm.classes).toEqual([0, 1]);
    expect(new metrics.Precision({ cm }).get()).toBe(1);
  });

  it("restores every metric from JSON with the same value and text", () => {
    const cm = new metrics.ConfusionMatrix();
    const all = [
      new metrics.Accuracy({ cm }),
      new metrics.Precision({ cm, posVal: "a" }),
      new metrics.Recall({ cm, posVal: "a" }),
      new metrics.F1({ cm, posVal: "b" }),
      new metrics.FBeta({ cm, beta: 2, posVal: "a" }),
      new metrics.MacroF1({ cm }),
      new metrics.MicroF1({ cm }),
      new metrics.WeightedF1({ cm }),
      new metrics.MacroPrecision({ cm }),
      new metrics.WeightedRecall({ cm }),
    ];
    ["a", "b", "a", "c", "b"].forEach((y, i) => cm.update(y, ["a", "a", "b", "c", "b"][i] as string));
    for (const m of all) {
      const again = restore(JSON.parse(JSON.stringify(m))) as typeof m;
      expect([again.get(), String(again)]).toEqual([m.get(), String(m)]);
    }
    const report = new metrics.ClassificationReport({ cm });
    expect(String(restore(JSON.parse(JSON.stringify(report))))).toBe(String(report));
    const rolling = new metrics.Rolling(new metrics.Accuracy(), 3);
    [1, 0, 1, 1].forEach((y) => rolling.update(y, 1));
    const r2 = metrics.Rolling.fromJSON(JSON.parse(JSON.stringify(rolling)));
    rolling.update(0, 1);
    r2.update(0, 1);
    expect(r2.get()).toBe(rolling.get());
    const ll = new metrics.LogLoss().update(true, 0.7);
    expect(metrics.LogLoss.fromJSON(JSON.parse(JSON.stringify(ll))).get()).toBe(ll.get());
  });

  it("keeps a shared matrix shared when a Metrics group is restored", () => {
    const cm = new metrics.ConfusionMatrix();
    const group = new metrics.Metrics([
      new metrics.Precision({ cm, posVal: 0 }),
      new metrics.Recall({ cm, posVal: 0 }),
    ]);
    cm.update(0, 0);
    const again = metrics.Metrics.fromJSON(JSON.parse(JSON.stringify(group)));
    // Updating the group updates each member, so the one shared matrix sees (0, 1) twice, as in River.
    group.update(0, 1);
    again.update(0, 1);
    expect(again.get()).toEqual([1, 1 / 3]);
    expect(again.get()).toEqual(group.get());
  });
});
