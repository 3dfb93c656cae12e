import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { BagOfWords, MultinomialNB, Pipeline, metrics } from "../../src/index.js";
import type { Label } from "../../src/index.js";
import { pyStr } from "../../src/internal/python.js";
import { describeShared, readGoldenJson, readJsonl, sharedFiles } from "../support/golden.js";
import { orderedEntries, parseOrderedJson } from "../support/ordered-json.js";
import { GOLDEN, loadYelp } from "./yelp.js";

const paths = await sharedFiles({
  yelp: "data/yelp.csv",
  trace: `${GOLDEN}main_mnb_yelp750.jsonl`,
  metrics: `${GOLDEN}main_mnb_yelp750_metrics.jsonl`,
  jll: `${GOLDEN}main_mnb_yelp750_jll.jsonl`,
  final: `${GOLDEN}main_mnb_yelp750_final.json`,
  report: `${GOLDEN}main_mnb_yelp750_report.txt`,
});

interface TraceRow {
  i: number;
  y_true: number;
  y_pred: number | null;
  proba: Record<string, number>;
  precision: number | null;
  recall: number | null;
}
interface MetricsRow {
  i: number;
  y_pred: number | null;
  correct: boolean | null;
  f1: number | null;
  f1_pos0: number | null;
  accuracy: number | null;
  macro_f1: number | null;
}
interface Checkpoint {
  report: string;
  cm: Record<string, Record<string, number>>;
  pr: [number, number];
}
interface Final {
  n_predictions: number;
  confusion_matrix: { "rows=y_true, cols=y_pred": Record<string, Record<string, number>>; repr: string };
  classification_report: string;
  pr: { get: [number, number]; repr: string };
  f1: number;
  f1_pos0: number;
  accuracy: number;
  macro_f1: number;
  report_checkpoints_after_row: Record<string, Checkpoint>;
  final_model_state: {
    class_counts: Record<string, number>;
    class_totals: Record<string, number>;
    n_terms: number;
    feature_counts: Record<string, Record<string, number>>;
  };
}

/** `{label: p}` in the model's key order, keys as Python's `str(label)`. */
function probaEntries(p: Map<Label, number>): [string, number][] {
  return [...p].map(([k, v]) => [pyStr(k), v]);
}

/** The original application's loop, plus everything the traces record about it. */
function runMainLoop(rows: { text: string; label: number }[]) {
  const model = new Pipeline(new BagOfWords({ lowercase: true }), new MultinomialNB());
  const cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
  const report = new metrics.ClassificationReport();
  const pr = new metrics.Metrics([
    new metrics.Precision({ cm, posVal: 0 }),
    new metrics.Recall({ cm, posVal: 0 }),
  ]);
  const f1 = new metrics.F1();
  const f1Pos0 = new metrics.F1({ cm, posVal: 0 });
  const accuracy = new metrics.Accuracy();
  const macroF1 = new metrics.MacroF1();
  const nb = model.model as MultinomialNB;
  const out = rows.map((row, i) => {
    const x = new BagOfWords({ lowercase: true }).transformOne(row.text);
    const jll = nb.jointLogLikelihood(x);
    const proba = model.predictProbaOne(row.text);
    const yPred = model.predictOne(row.text);
    let pr_: number[] | null = null;
    if (yPred !== undefined) {
      cm.update(row.label, yPred);
      report.update(row.label, yPred);
      f1.update(row.label, yPred);
      accuracy.update(row.label, yPred);
      macroF1.update(row.label, yPred);
      pr_ = pr.get();
    }
    model.learnOne(row.text, row.label);
    const cells = [0, 1].flatMap((t) => [0, 1].map((p) => [t, p, cm.get(t, p)] as const));
    const checkpoint = { report: report.toString(), pr: pr.get(), cells };
    return {
      i,
      yPred,
      proba: probaEntries(proba),
      jll: probaEntries(jll),
      pr: pr_,
      f1: yPred === undefined ? null : f1.get(),
      f1Pos0: yPred === undefined ? null : f1Pos0.get(),
      accuracy: yPred === undefined ? null : accuracy.get(),
      macroF1: yPred === undefined ? null : macroF1.get(),
      checkpoint,
    };
  });
  return { out, model, nb, cm, report, pr, f1, f1Pos0, accuracy, macroF1 };
}

describeShared("the original application's loop on yelp750 (main_mnb_yelp750)", paths, (p) => {
  const rows = loadYelp(p.yelp);
  const trace = readJsonl<TraceRow>(p.trace);
  const metricTrace = readJsonl<MetricsRow>(p.metrics);
  const jllTrace = readJsonl<{ i: number; jll: Record<string, number> }>(p.jll);
  const final = readGoldenJson<Final>(p.final);
  // Key order matters (classes in first-seen order) and JSON.parse reorders "0" before "1".
  const orderedLines = (path: string, key: string) =>
    readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => orderedEntries(parseOrderedJson(l), key) as [string, number][]);
  const probaOrdered = orderedLines(p.trace, "proba");
  const jllOrdered = orderedLines(p.jll, "jll");
  const finalOrdered = parseOrderedJson(
    readFileSync(p.final, "utf8").replace(/"input": os\.path\.join\([^)]*\)/, '"input": null'),
  );
  const stateOrdered = (finalOrdered as Map<string, unknown>).get("final_model_state") as Map<
    string,
    Map<string, unknown>
  >;
  const run = runMainLoop(rows);

  it("reads all 750 rows of yelp.csv with a real CSV parser", () => {
    expect(rows).toHaveLength(750);
    expect(trace).toHaveLength(750);
    expect(rows.map((r) => r.label)).toEqual(trace.map((t) => t.y_true));
  });

  it("predicts every y_pred exactly, undefined before anything was learnt", () => {
    expect(run.out.map((o) => o.yPred ?? null)).toEqual(trace.map((t) => t.y_pred));
  });

  it("gives every probability within 1e-12, with River's key order", () => {
    let worst = 0;
    run.out.forEach((o, i) => {
      const expected = probaOrdered[i] as [string, number][];
      expect(o.proba.map(([k]) => k)).toEqual(expected.map(([k]) => k));
      o.proba.forEach(([, v], j) => {
        worst = Math.max(worst, Math.abs(v - (expected[j] as [string, number])[1]));
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it("matches every joint log-likelihood to 1e-12 relative", () => {
    run.out.forEach((o, i) => {
      const expected = jllOrdered[i] as [string, number][];
      expect(expected.length).toBe(Object.keys((jllTrace[i] as { jll: object }).jll).length);
      expect(o.jll.map(([k]) => k)).toEqual(expected.map(([k]) => k));
      o.jll.forEach(([, v], j) => {
        const e = (expected[j] as [string, number])[1];
        expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
      });
    });
  });

  it("reproduces every precision and recall exactly", () => {
    expect(run.out.map((o) => (o.pr === null ? [null, null] : o.pr))).toEqual(
      trace.map((t) => [t.precision, t.recall]),
    );
  });

  it("reproduces every F1, F1(pos 0), accuracy and macro-F1 exactly", () => {
    expect(run.out.map((o) => [o.f1, o.f1Pos0, o.accuracy, o.macroF1])).toEqual(
      metricTrace.map((m) => [m.f1, m.f1_pos0, m.accuracy, m.macro_f1]),
    );
  });

  it("ends with River's confusion matrix counts and text", () => {
    const counts = final.confusion_matrix["rows=y_true, cols=y_pred"];
    for (const [t, row] of Object.entries(counts)) {
      for (const [pred, n] of Object.entries(row)) expect(run.cm.get(Number(t), Number(pred))).toBe(n);
    }
    expect(String(run.cm)).toBe(final.confusion_matrix.repr);
  });

  it("prints the ClassificationReport, the matrix and the metrics character for character", () => {
    const text = readFileSync(p.report, "utf8");
    const blocks = text.split(/^# .*\n/m).filter((b) => b !== "");
    expect(String(run.report)).toBe((blocks[0] as string).replace(/\n+$/, ""));
    expect(String(run.cm)).toBe((blocks[1] as string).replace(/\n+$/, ""));
    expect(String(run.pr)).toBe((blocks[2] as string).replace(/\n+$/, ""));
    expect([String(run.f1), String(run.f1Pos0), String(run.accuracy), String(run.macroF1)].join("\n")).toBe(
      (blocks[3] as string).replace(/\n+$/, ""),
    );
    expect(String(run.report)).toBe(final.classification_report);
    expect(String(run.pr)).toBe(final.pr.repr);
    expect(run.pr.get()).toEqual(final.pr.get);
    expect([run.f1.get(), run.f1Pos0.get(), run.accuracy.get(), run.macroF1.get()]).toEqual([
      final.f1,
      final.f1_pos0,
      final.accuracy,
      final.macro_f1,
    ]);
  });

  it("matches the report, counts and [precision, recall] at rows 1, 2, 10, 100, 500 and 749", () => {
    for (const [row, cp] of Object.entries(final.report_checkpoints_after_row)) {
      const o = run.out[Number(row)] as (typeof run.out)[number];
      expect(o.checkpoint.report, `report after row ${row}`).toBe(cp.report);
      expect(o.checkpoint.pr, `pr after row ${row}`).toEqual(cp.pr);
      for (const [t, pred, n] of o.checkpoint.cells) {
        expect(n, `cm[${t}][${pred}] after row ${row}`).toBe(cp.cm[String(t)]?.[String(pred)] ?? 0);
      }
    }
  });

  it("ends in River's final MultinomialNB state", () => {
    const s = final.final_model_state;
    const state = run.nb.state;
    expect(run.nb.nTerms).toBe(s.n_terms);
    expect([...state.classCounts].map(([k, v]) => [pyStr(k), v])).toEqual([
      ...(stateOrdered.get("class_counts") as Map<string, number>),
    ]);
    expect([...state.classTotals].map(([k, v]) => [pyStr(k), v])).toEqual([
      ...(stateOrdered.get("class_totals") as Map<string, number>),
    ]);
    expect([...state.featureCounts.keys()]).toEqual([
      ...(stateOrdered.get("feature_counts") as Map<string, unknown>).keys(),
    ]);
    for (const [f, byClass] of Object.entries(s.feature_counts)) {
      const mine = state.featureCounts.get(f) as Map<Label, number>;
      expect(Object.fromEntries([...mine].map(([k, v]) => [pyStr(k), v])), f).toEqual(byClass);
    }
  });
});
