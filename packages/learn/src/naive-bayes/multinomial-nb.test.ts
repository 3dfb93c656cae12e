import { describe, expect, it } from "vitest";
import { BagOfWords, LearnError, MultinomialNB } from "../index.js";

const bow = new BagOfWords();
const docs: [string, string][] = [
  ["great food great service", "pos"],
  ["awful food", "neg"],
  ["great atmosphere", "pos"],
  ["cold food slow service", "neg"],
  ["lovely staff", "pos"],
  ["never again", "neg"],
];

describe("MultinomialNB", () => {
  it("uses P(f|c) = (N_fc + α) / (N_c + α·n_terms), unseen features included", () => {
    const nb = new MultinomialNB({ alpha: 1 });
    nb.learnOne(bow.transformOne("Chinese Beijing Chinese"), "yes");
    nb.learnOne(bow.transformOne("Chinese Chinese Shanghai"), "yes");
    nb.learnOne(bow.transformOne("Chinese Macao"), "yes");
    nb.learnOne(bow.transformOne("Tokyo Japan Chinese"), "no");
    expect(nb.pFeatureGivenClass("chinese", "yes")).toBe((5 + 1) / (8 + 6));
    expect(nb.pFeatureGivenClass("tokyo", "yes")).toBe((0 + 1) / (8 + 6));
    expect(nb.pFeatureGivenClass("chinese", "no")).toBe((1 + 1) / (3 + 6));
    expect(nb.pFeatureGivenClass("taiwanese", "yes")).toBe((0 + 1) / (8 + 6));
    const jll = nb.jointLogLikelihood(bow.transformOne("Taiwanese Taipei"));
    expect(jll.get("yes")).toBe(Math.log(0.75) + (Math.log(1 / 14) + Math.log(1 / 14)));
    expect(nb.nTerms).toBe(6);
  });

  it("merges two partitions into exactly the model that learnt both", () => {
    const whole = new MultinomialNB();
    const a = new MultinomialNB();
    const b = new MultinomialNB();
    docs.forEach(([t, y], i) => {
      whole.learnOne(bow.transformOne(t), y);
      (i < 3 ? a : b).learnOne(bow.transformOne(t), y);
    });
    a.merge(b);
    const probe = bow.transformOne("great food never slow");
    expect([...a.predictProbaOne(probe)]).toEqual([...whole.predictProbaOne(probe)]);
    expect(a.nTerms).toBe(whole.nTerms);
    expect(a.state).toEqual(whole.state);
  });

  it("refuses to merge models with different smoothing", () => {
    expect(() => new MultinomialNB({ alpha: 1 }).merge(new MultinomialNB({ alpha: 0.5 }))).toThrow(
      LearnError,
    );
  });

  it("round-trips through JSON and keeps learning identically", () => {
    const m = new MultinomialNB({ alpha: 0.5 });
    docs.slice(0, 4).forEach(([t, y]) => m.learnOne(bow.transformOne(t), y));
    const copy = MultinomialNB.fromJSON(JSON.parse(JSON.stringify(m)));
    docs.slice(4).forEach(([t, y]) => {
      m.learnOne(bow.transformOne(t), y);
      copy.learnOne(bow.transformOne(t), y);
    });
    const probe = bow.transformOne("great never");
    expect([...copy.predictProbaOne(probe)]).toEqual([...m.predictProbaOne(probe)]);
    expect(copy.alpha).toBe(0.5);
  });

  it("accepts plain records as features", () => {
    const nb = new MultinomialNB();
    nb.learnOne({ good: 2 }, 1).learnOne({ bad: 2 }, 0);
    expect(nb.predictOne({ good: 1 })).toBe(1);
  });
});
