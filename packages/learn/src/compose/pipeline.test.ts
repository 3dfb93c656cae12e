import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BagOfWords, LogisticRegression, MultinomialNB, Pipeline, TFIDF, stripAccents } from "../index.js";
import type { Label } from "../index.js";
import { readLabelledCsv } from "../../test/support/csv.js";
import { describeShared, readJsonl, sharedFiles } from "../../test/support/golden.js";

/**
 * A pipeline that cannot take the token-id fast path (a preprocessor disables it) but computes
 * the same: the preprocessor is exactly the default accent stripping and lower-casing.
 */
function generalPath() {
  return new Pipeline(
    new BagOfWords({ preprocessor: (t) => stripAccents(t).toLowerCase() }),
    new MultinomialNB(),
  );
}

const yelp = await sharedFiles({ path: "data/yelp.csv" });
const jll = await sharedFiles({ path: "golden/river/main_mnb_yelp750_jll.jsonl" });

describe("Pipeline", () => {
  it("lets TF-IDF count the document on learnOne before weighting it, and not on predict", () => {
    const tfidf = new TFIDF();
    const model = new Pipeline(tfidf, new MultinomialNB());
    model.predictOne("alpha beta");
    model.predictProbaOne("alpha beta");
    expect(tfidf.n).toBe(0);
    model.learnOne("alpha beta", "a");
    expect(tfidf.n).toBe(1);
    expect(tfidf.dfs.get("alpha")).toBe(1);
  });

  it("never changes the model when predicting", () => {
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    model.learnOne("good food", 1).learnOne("bad food", 0);
    const before = JSON.stringify(model);
    model.predictOne("completely unseen words here");
    model.predictProbaOne("more unseen words");
    expect(JSON.stringify(model)).toBe(before);
  });

  it("gives the same probabilities on its fast path as through BagOfWords maps (ASCII and non-ASCII texts)", () => {
    const fast = new Pipeline(new BagOfWords(), new MultinomialNB());
    const general = new Pipeline(new BagOfWords(), new MultinomialNB());
    const texts = [
      "Café crêpe",
      "CAFE creme",
      "ﬁne ﬂour",
      "İstanbul",
      "x-ray--",
      "",
      "Don't STOP",
      "ΣΑΣ σας",
      "日本語 テキスト",
    ];
    texts.forEach((t, i) => {
      const viaMap = (general.model as MultinomialNB).predictProbaOne(new BagOfWords().transformOne(t));
      expect([...fast.predictProbaOne(t)]).toEqual([...viaMap]);
      fast.learnOne(t, i % 3);
      (general.model as MultinomialNB).learnOne(new BagOfWords().transformOne(t), i % 3);
    });
    expect(JSON.stringify(fast.model)).toBe(JSON.stringify(general.model));
  });

  it.skipIf(yelp === undefined)(
    "predicts identically on its fast path and on the general path over all of yelp.csv",
    () => {
      const rows = readLabelledCsv(
        readFileSync((yelp as { path: string }).path, "utf8"),
        "text",
        "sentiment",
      );
      const fast = new Pipeline(new BagOfWords(), new MultinomialNB());
      const slow = generalPath();
      for (const r of rows) {
        expect([...fast.predictProbaOne(r.text)]).toEqual([...slow.predictProbaOne(r.text)]);
        expect(fast.predictOne(r.text)).toBe(slow.predictOne(r.text));
        fast.learnOne(r.text, r.label);
        slow.learnOne(r.text, r.label);
      }
    },
  );

  it("keeps working when the model also learns features directly", () => {
    const nb = new MultinomialNB();
    const model = new Pipeline(new BagOfWords(), nb);
    model.learnOne("tasty soup", "pos");
    model.learnOne("plain rice", "neg");
    const before = model.predictProbaOne("awful awful");
    nb.learnOne(new Map([["awful", 5]]), "neg");
    const after = model.predictProbaOne("awful awful");
    expect([...after]).toEqual([...nb.predictProbaOne(new BagOfWords().transformOne("awful awful"))]);
    expect(after.get("neg")).toBeGreaterThan(before.get("neg") as number);
    nb.learnOne(new Map([["awful", 3]]), "neg");
    expect(model.predictOne("awful awful")).toBe("neg");
    expect(nb.predictOne(new BagOfWords().transformOne("awful awful"))).toBe("neg");
  });

  it("works with any classifier at the end, here a logistic regression on boolean labels", () => {
    const model = new Pipeline(new BagOfWords(), new LogisticRegression());
    for (let i = 0; i < 50; i++) model.learnOne("good", true).learnOne("bad", false);
    expect(model.predictOne("good")).toBe(true);
    expect(model.predictOne("bad")).toBe(false);
    expect([...model.predictProbaOne("")].map(([k]) => k)).toEqual([false, true]);
  });

  it("accepts numbers, strings and booleans as labels, keeping classes in first-seen order", () => {
    for (const labels of [
      [3, 1],
      ["pos", "neg"],
      [true, false],
    ] as Label[][]) {
      const model = new Pipeline(new BagOfWords(), new MultinomialNB());
      model.learnOne("aa bb", labels[0] as Label).learnOne("cc dd", labels[1] as Label);
      expect([...model.predictProbaOne("aa").keys()]).toEqual(labels);
      expect(model.predictOne("cc")).toBe(labels[1]);
    }
  });

  it("sends ties to the class seen first", () => {
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    model.learnOne("same words", "first").learnOne("same words", "second");
    expect(model.predictOne("same words")).toBe("first");
    expect(model.predictOne("")).toBe("first");
  });
});

describeShared("MultinomialNB summation order", jll, (p) => {
  it("is the one River uses: first jll entries match exactly", () => {
    const rows = readJsonl<{ i: number; jll: Record<string, number> }>(p.path);
    expect(rows[1]?.jll).toEqual({ "1": -39.9276058359732 });
  });
});
