import { expect, it } from "vitest";
import { BagOfWords, MultinomialNB, Pipeline, metrics, restore } from "../../src/index.js";
import type { Label } from "../../src/index.js";
import { describeShared, readJsonl, sharedFiles } from "../support/golden.js";
import { GOLDEN, loadYelp } from "./yelp.js";

const paths = await sharedFiles({ yelp: "data/yelp.csv", trace: `${GOLDEN}main_mnb_yelp750.jsonl` });

interface State {
  model: Pipeline<string>;
  cm: metrics.ConfusionMatrix;
  report: metrics.ClassificationReport;
  pr: metrics.Metrics;
}

function fresh(): State {
  const model = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
  const cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
  const report = new metrics.ClassificationReport();
  const pr = new metrics.Metrics([
    new metrics.Precision({ cm, posVal: 0 }),
    new metrics.Recall({ cm, posVal: 0 }),
  ]);
  return { model, cm, report, pr };
}

/** Saves everything through JSON text and restores it, as a crash-and-restart would. */
function roundTrip(s: State): State {
  const text = JSON.stringify({ model: s.model, cm: s.cm, report: s.report, pr: s.pr });
  const saved = JSON.parse(text) as Record<keyof State, unknown>;
  const cm = metrics.ConfusionMatrix.fromJSON(saved.cm);
  return {
    model: Pipeline.fromJSON<string>(saved.model),
    cm,
    report: restore(saved.report) as metrics.ClassificationReport,
    pr: metrics.Metrics.fromJSON(saved.pr, { cm }),
  };
}

function step(s: State, text: string, y: Label) {
  const proba = [...s.model.predictProbaOne(text)];
  const yPred = s.model.predictOne(text);
  if (yPred !== undefined) {
    s.cm.update(y, yPred);
    s.report.update(y, yPred);
  }
  const pr = yPred === undefined ? null : s.pr.get();
  s.model.learnOne(text, y);
  return { yPred: yPred ?? null, proba, pr };
}

describeShared("checkpoints in the middle of the main trace", paths, (p) => {
  const rows = loadYelp(p.yelp);
  const trace = readJsonl<{ y_pred: number | null; precision: number | null; recall: number | null }>(
    p.trace,
  );
  const uninterrupted = (() => {
    const s = fresh();
    return { steps: rows.map((r) => step(s, r.text, r.label)), final: s };
  })();

  for (const at of [1, 100, 500]) {
    it(`continues identically after a save and restore at row ${at}`, () => {
      let s = fresh();
      const steps = rows.map((r, i) => {
        if (i === at) s = roundTrip(s);
        return step(s, r.text, r.label);
      });
      expect(steps).toEqual(uninterrupted.steps);
      expect(steps.map((x) => x.yPred)).toEqual(trace.map((t) => t.y_pred));
      expect(steps.map((x) => (x.pr === null ? [null, null] : x.pr))).toEqual(
        trace.map((t) => [t.precision, t.recall]),
      );
      expect(String(s.report)).toBe(String(uninterrupted.final.report));
      expect(String(s.cm)).toBe(String(uninterrupted.final.cm));
      expect(JSON.stringify(s.model)).toBe(JSON.stringify(uninterrupted.final.model));
    });
  }

  it("writes a versioned checkpoint that names its type", () => {
    const saved = uninterrupted.final.model.toJSON();
    expect(saved).toMatchObject({ format: "@weir/learn", version: 1, type: "Pipeline" });
    expect(() => MultinomialNB.fromJSON(saved)).toThrow(/holds a Pipeline, not a MultinomialNB/);
    expect(() => Pipeline.fromJSON({ ...saved, version: 99 })).toThrow(/version 99 is not supported/);
  });
});
