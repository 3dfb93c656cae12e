import { describe, expect, it } from "vitest";
import {
  BagOfWords,
  BernoulliNB,
  ComplementNB,
  LogisticRegression,
  MultinomialNB,
  Pipeline,
  TFIDF,
} from "./index.js";
import { DELETE, WHAT_TO_DO, damaged, restoreError } from "../test/support/damaged-checkpoint.js";

const what = WHAT_TO_DO;

function multinomial(): MultinomialNB {
  return new MultinomialNB().learnOne({ good: 1, food: 1 }, 1).learnOne({ bad: 1, food: 1 }, 0);
}

describe("restoring a damaged checkpoint fails with the path of the bad field", () => {
  it("MultinomialNB: a missing counts table, a string count, a short row, a null total", () => {
    const m = multinomial();
    const from = (j: unknown) => MultinomialNB.fromJSON(j);
    expect(restoreError(from, damaged(m, ["state", "counts"], DELETE))).toBe(
      "Damaged MultinomialNB checkpoint: state.counts: expected an array of 2, got nothing (the field is missing)." +
        what,
    );
    expect(restoreError(from, damaged(m, ["state", "counts", 0, 1], "x"))).toBe(
      'Damaged MultinomialNB checkpoint: state.counts[0][1] (class 1, feature "food"): expected a finite number ≥ 0, got string "x".' +
        what,
    );
    expect(restoreError(from, damaged(m, ["state", "counts", 1], [0, 1]))).toBe(
      "Damaged MultinomialNB checkpoint: state.counts[1]: expected an array of 3, got an array of 2." + what,
    );
    // NaN and Infinity are written as null by JSON.stringify.
    expect(restoreError(from, damaged(m, ["state", "classTotals", 0], null))).toMatch(
      /^Damaged MultinomialNB checkpoint: state\.classTotals\[0\] \(class 1\): expected a finite number ≥ 0, got null\./,
    );
    expect(restoreError(from, damaged(m, ["state", "classCounts", 1], 0.5))).toMatch(
      /state\.classCounts\[1\] \(class 0\): expected an integer ≥ 1, got number 0\.5\./,
    );
    expect(restoreError(from, damaged(m, ["state", "features", 2], "good"))).toMatch(
      /state\.features\[2\]: expected a name not already listed, got string "good"\./,
    );
    expect(restoreError(from, damaged(m, ["state", "alpha"], -1))).toMatch(
      /state\.alpha: expected a finite number ≥ 0, got number -1\./,
    );
  });

  it("BernoulliNB: a count above its class count, a class count of 0, a missing threshold", () => {
    const m = new BernoulliNB().learnOne({ a: 1, b: 0 }, 1).learnOne({ a: 1 }, 0);
    const from = (j: unknown) => BernoulliNB.fromJSON(j);
    expect(restoreError(from, damaged(m, ["state", "counts", 0, 0], 5))).toMatch(
      /^Damaged BernoulliNB checkpoint: state\.counts\[0\]\[0\] \(class 1, feature "a"\): expected an integer between 0 and 1, got number 5\./,
    );
    expect(restoreError(from, damaged(m, ["state", "classCounts", 1], 0))).toMatch(
      /state\.classCounts\[1\] \(class 0\): expected an integer ≥ 1, got number 0\./,
    );
    expect(restoreError(from, damaged(m, ["state", "trueThreshold"], DELETE))).toMatch(
      /state\.trueThreshold: expected a number, got nothing \(the field is missing\)\./,
    );
  });

  it("ComplementNB: missing feature totals, and a total below one class's count", () => {
    const m = new ComplementNB()
      .learnOne({ food: 2, meat: 1 }, "health")
      .learnOne({ food: 1, job: 5 }, "butcher");
    const from = (j: unknown) => ComplementNB.fromJSON(j);
    expect(restoreError(from, damaged(m, ["state", "featureTotals"], DELETE))).toMatch(
      /^Damaged ComplementNB checkpoint: state\.featureTotals: expected an array of 3, got nothing/,
    );
    expect(restoreError(from, damaged(m, ["state", "featureTotals", 0], 1))).toMatch(
      /state\.featureTotals\[0\] \(feature "food"\): expected a number ≥ 2 \(its largest count in one class\), got number 1\./,
    );
    expect(restoreError(from, damaged(m, ["state", "classes", 1], "health"))).toMatch(
      /state\.classes\[1\]: expected a class not already listed, got string "health"\./,
    );
  });

  it("LogisticRegression: a null weight, a string intercept, a negative clipGradient", () => {
    const m = new LogisticRegression().learnOne({ a: 1, b: 2 }, true);
    const from = (j: unknown) => LogisticRegression.fromJSON(j);
    expect(restoreError(from, damaged(m, ["state", "weights", 1, 1], null))).toBe(
      'Damaged LogisticRegression checkpoint: state.weights[1][1] ("b"): expected a finite number, got null.' +
        what,
    );
    expect(restoreError(from, damaged(m, ["state", "intercept"], "0.1"))).toMatch(
      /state\.intercept: expected a finite number, got string "0\.1"\./,
    );
    expect(restoreError(from, damaged(m, ["state", "clipGradient"], -1))).toMatch(
      /state\.clipGradient: expected a number > 0, got number -1\./,
    );
    expect(restoreError(from, damaged(m, ["state", "weights", 0], ["a"]))).toMatch(
      /state\.weights\[0\]: expected an array of 2, got an array of 1\./,
    );
  });

  it("BagOfWords and TFIDF: an impossible n-gram range, a broken pattern, a document frequency above n", () => {
    const bow = new BagOfWords({ tokenizerPattern: /[a-z]+/ });
    expect(
      restoreError((j) => BagOfWords.fromJSON(j), damaged(bow, ["state", "config", "ngramRange"], [2, 1])),
    ).toMatch(
      /^Damaged BagOfWords checkpoint: state\.config\.ngramRange: expected \[min, max\] with 0 ≤ min ≤ max, max ≥ 1, got \[2,1\]\./,
    );
    expect(
      restoreError(
        (j) => BagOfWords.fromJSON(j),
        damaged(bow, ["state", "config", "tokenizerPattern", "source"], "("),
      ),
    ).toMatch(/state\.config\.tokenizerPattern: expected a valid regular expression, got \/\(\/ \(/);
    const tfidf = new TFIDF();
    tfidf.learnOne("good food").learnOne("bad food");
    const from = (j: unknown) => TFIDF.fromJSON(j);
    expect(restoreError(from, damaged(tfidf, ["state", "dfs", 1, 1], 3))).toMatch(
      /^Damaged TFIDF checkpoint: state\.dfs\[1\]\[1\] \("food"\): expected an integer between 1 and 2, got number 3\./,
    );
    expect(restoreError(from, damaged(tfidf, ["state", "n"], -1))).toMatch(
      /state\.n: expected an integer ≥ 0/,
    );
  });

  it("Pipeline: the path runs through the step, and steps must be in a possible order", () => {
    const p = new Pipeline(new BagOfWords(), new MultinomialNB());
    p.learnOne("good food", 1).learnOne("bad food", 0);
    const from = (j: unknown) => Pipeline.fromJSON(j);
    expect(restoreError(from, damaged(p, ["state", "steps", 1, "state", "counts", 0, 1], "x"))).toBe(
      'Damaged MultinomialNB checkpoint: state.steps[1].state.counts[0][1] (class 1, feature "food"): expected a finite number ≥ 0, got string "x".' +
        what,
    );
    expect(restoreError(from, damaged(p, ["state", "steps", 1, "state", "counts"], DELETE))).toMatch(
      /state\.steps\[1\]\.state\.counts: expected an array of 2, got nothing/,
    );
    const saved = JSON.parse(JSON.stringify(p)) as { state: { steps: unknown[] } };
    expect(restoreError(from, damaged(p, ["state", "steps"], [...saved.state.steps].reverse()))).toMatch(
      /^Damaged Pipeline checkpoint: state\.steps\[0\]: expected a transformer \(every step but the last\), got a MultinomialNB\./,
    );
    expect(restoreError(from, damaged(p, ["state", "steps"], []))).toMatch(
      /state\.steps: expected at least one step \(the final classifier\), got none\./,
    );
    expect(restoreError(from, damaged(p, ["state", "steps", 0], {}))).toBe(
      "Not a @weir/learn checkpoint at state.steps[0]: got an object.",
    );
  });

  it("still restores infinite options, which JSON cannot write as numbers", () => {
    const lr = new LogisticRegression({ clipGradient: Infinity }).learnOne({ a: 1 }, true);
    const lrAgain = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(lr)));
    expect(lrAgain.clipGradient).toBe(Infinity);
    expect(JSON.stringify(lrAgain)).toBe(JSON.stringify(lr));
    const nb = new BernoulliNB({ trueThreshold: -Infinity }).learnOne({ a: -5 }, 1);
    expect(BernoulliNB.fromJSON(JSON.parse(JSON.stringify(nb))).trueThreshold).toBe(-Infinity);
  });
});
