import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BagOfWords,
  BernoulliNB,
  ComplementNB,
  LogisticRegression,
  MultinomialNB,
  Pipeline,
  TFIDF,
  metrics,
} from "../../src/index.js";
import type { Classifier, Label, Transformer } from "../../src/index.js";
import { pyStr } from "../../src/internal/python.js";
import { describeShared, readGoldenJson, sharedFiles } from "../support/golden.js";
import { orderedEntries, parseOrderedJson } from "../support/ordered-json.js";
import type { OrderedJson } from "../support/ordered-json.js";
import { GOLDEN, loadYelp } from "./yelp.js";

const variants = {
  bernoulli: () => new Pipeline(new BagOfWords({ lowercase: true }), new BernoulliNB()),
  complement: () => new Pipeline(new BagOfWords({ lowercase: true }), new ComplementNB()),
  tfidf_multinomial: () => new Pipeline(new TFIDF({ lowercase: true }), new MultinomialNB()),
  bigram_multinomial: () =>
    new Pipeline(new BagOfWords({ lowercase: true, ngramRange: [1, 2] }), new MultinomialNB()),
  logreg: () => new Pipeline(new BagOfWords({ lowercase: true }), new LogisticRegression()),
} as const;
type Variant = keyof typeof variants;

const paths = await sharedFiles({
  yelp: "data/yelp.csv",
  summary: `${GOLDEN}variants_yelp750_summary.json`,
  bernoulli: `${GOLDEN}variant_bernoulli_yelp750.jsonl`,
  complement: `${GOLDEN}variant_complement_yelp750.jsonl`,
  tfidf_multinomial: `${GOLDEN}variant_tfidf_multinomial_yelp750.jsonl`,
  bigram_multinomial: `${GOLDEN}variant_bigram_multinomial_yelp750.jsonl`,
  logreg: `${GOLDEN}variant_logreg_yelp750.jsonl`,
});

interface Row {
  y_pred: Label | null;
  proba: [string, number][];
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  x_predict?: [string, number][];
  x_learn?: [string, number][];
}

function readVariant(path: string): Row[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const m = parseOrderedJson(l) as Map<string, OrderedJson>;
      return {
        y_pred: m.get("y_pred") as Label | null,
        proba: orderedEntries(m, "proba") as [string, number][],
        accuracy: m.get("accuracy") as number | null,
        precision: m.get("precision") as number | null,
        recall: m.get("recall") as number | null,
        ...(m.has("x_predict") ? { x_predict: m.get("x_predict") as [string, number][] } : {}),
        ...(m.has("x_learn") ? { x_learn: m.get("x_learn") as [string, number][] } : {}),
      };
    });
}

describeShared("the five variant models on yelp750 (variant_*.jsonl)", paths, (p) => {
  const rows = loadYelp(p.yelp);
  const summary = readGoldenJson<Record<string, Record<string, unknown>>>(p.summary);

  for (const name of Object.keys(variants) as Variant[]) {
    describe(name, () => {
      const expected = readVariant(p[name]);
      const model = variants[name]();
      const cm = new metrics.ConfusionMatrix({ classes: [0, 1] });
      const acc = new metrics.Accuracy({ cm });
      const prec = new metrics.Precision({ cm, posVal: 0 });
      const rec = new metrics.Recall({ cm, posVal: 0 });
      const vectorizer = model.steps[0] as Transformer<string, Map<string, number>>;
      const got = rows.map((row, i) => {
        const yPred = model.predictOne(row.text);
        const proba = model.predictProbaOne(row.text);
        const xPredict =
          i < 20 && name === "tfidf_multinomial" ? [...vectorizer.transformOne(row.text)] : undefined;
        if (yPred !== undefined) cm.update(row.label, yPred);
        model.learnOne(row.text, row.label);
        const xLearn =
          i < 20 && name === "tfidf_multinomial" ? [...vectorizer.transformOne(row.text)] : undefined;
        return {
          yPred: yPred ?? null,
          proba: [...proba].map(([k, v]) => [pyStr(k), v] as [string, number]),
          metrics: yPred === undefined ? [null, null, null] : [acc.get(), prec.get(), rec.get()],
          xPredict,
          xLearn,
        };
      });

      it("predicts every y_pred exactly", () => {
        expect(got.map((g) => g.yPred)).toEqual(expected.map((e) => e.y_pred));
      });

      it("gives every probability within 1e-12, keys in River's order", () => {
        got.forEach((g, i) => {
          const e = (expected[i] as Row).proba;
          expect(
            g.proba.map(([k]) => k),
            `row ${i}`,
          ).toEqual(e.map(([k]) => k));
          g.proba.forEach(([, v], j) =>
            expect(Math.abs(v - (e[j] as [string, number])[1]), `row ${i}`).toBeLessThanOrEqual(1e-12),
          );
        });
      });

      it("reproduces accuracy, precision and recall exactly at every row", () => {
        expect(got.map((g) => g.metrics)).toEqual(expected.map((e) => [e.accuracy, e.precision, e.recall]));
      });

      it("ends with River's summary (metrics and confusion matrix text)", () => {
        const s = summary[name] as Record<string, unknown>;
        expect(got.filter((g) => g.yPred !== null)).toHaveLength(s["n_predictions"] as number);
        expect([acc.get(), prec.get(), rec.get()]).toEqual([
          s["accuracy"],
          s["precision_pos0"],
          s["recall_pos0"],
        ]);
        expect(String(cm)).toBe(s["confusion_matrix_repr"]);
      });

      if (name === "tfidf_multinomial") {
        it("sees River's TF-IDF vectors at predict and learn time for rows 0–19, and ends with its n and dfs", () => {
          got.slice(0, 20).forEach((g, i) => {
            const e = expected[i] as Row;
            for (const [mine, theirs] of [
              [g.xPredict, e.x_predict],
              [g.xLearn, e.x_learn],
            ] as const) {
              expect(
                mine?.map(([k]) => k),
                `row ${i}`,
              ).toEqual(theirs?.map(([k]) => k));
              mine?.forEach(([, v], j) =>
                expect(Math.abs(v - (theirs?.[j] as [string, number])[1])).toBeLessThanOrEqual(1e-12),
              );
            }
          });
          const tfidf = model.steps[0] as TFIDF;
          const s = summary[name] as {
            final_tfidf_n: number;
            final_tfidf_dfs_sorted: Record<string, number>;
          };
          expect(tfidf.n).toBe(s.final_tfidf_n);
          expect(Object.fromEntries(tfidf.dfs)).toEqual(s.final_tfidf_dfs_sorted);
        });
      }

      if (name === "logreg") {
        it("ends with River's weights and intercept (1e-12 relative)", () => {
          const lr = (model as Pipeline & { model: Classifier }).model as LogisticRegression;
          const s = summary[name] as { final_intercept: number; final_weights: Record<string, number> };
          expect(Math.abs(lr.intercept - s.final_intercept)).toBeLessThanOrEqual(1e-12);
          expect(lr.weights.size).toBe(Object.keys(s.final_weights).length);
          for (const [f, w] of Object.entries(s.final_weights)) {
            expect(Math.abs((lr.weights.get(f) as number) - w), f).toBeLessThanOrEqual(
              1e-12 * Math.max(1, Math.abs(w)),
            );
          }
        });
      }
    });
  }
});
