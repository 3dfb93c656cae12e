import { describe, expect, it } from "vitest";
import { BagOfWords, ComplementNB, LearnError, MultinomialNB, Pipeline } from "../index.js";

/** Runs `fn` and returns the LearnError it throws (failing the test if it does not). */
function learnErrorOf(fn: () => unknown): LearnError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LearnError);
    return e as LearnError;
  }
  throw new Error("expected a LearnError, nothing was thrown");
}

describe("naive Bayes where River cannot compute a probability", () => {
  it("MultinomialNB with alpha = 0 raises on a feature a class never saw (River: math domain error)", () => {
    // River: p_feature_given_class = (0 + 0) / den = 0.0, then math.log(0.0) raises ValueError.
    const nb = new MultinomialNB({ alpha: 0 });
    nb.learnOne({ good: 2 }, "pos").learnOne({ bad: 1 }, "neg");
    for (const call of [
      () => nb.predictOne({ tasty: 1 }),
      () => nb.predictProbaOne({ tasty: 1 }),
      () => nb.jointLogLikelihood({ tasty: 1 }),
    ]) {
      const e = learnErrorOf(call);
      expect(e.code).toBe("ERR_LEARN_MATH_DOMAIN");
      expect(e.message).toBe(
        'MultinomialNB cannot score feature "tasty" for class "pos": its probability is 0 / 2 = 0 and log(0) is undefined (River raises "math domain error"). ' +
          "Use alpha > 0 (the default is 1) so that features a class has not seen keep a non-zero probability.",
      );
    }
    // A known feature the second class never saw is just as undefined for that class.
    expect(learnErrorOf(() => nb.predictOne({ good: 1 })).message).toMatch(
      /^MultinomialNB cannot score feature "good" for class "neg": its probability is 0 \/ 1 = 0/,
    );
  });

  it("raises the same way on the pipeline's text fast path", () => {
    const model = new Pipeline(new BagOfWords(), new MultinomialNB({ alpha: 0 }));
    model.learnOne("good food", 1).learnOne("good service", 0);
    expect(model.predictOne("good")).toBe(1);
    const e = learnErrorOf(() => model.predictOne("awful food"));
    expect(e.code).toBe("ERR_LEARN_MATH_DOMAIN");
    expect(e.message).toMatch(
      /^MultinomialNB cannot score feature "awful" for class 1: .* log\(0\) is undefined/,
    );
    expect(() => model.predictProbaOne("awful food")).toThrow(/feature "awful" for class 1/);
  });

  it("MultinomialNB raises on a zero denominator, as River's ZeroDivisionError", () => {
    // Only empty documents learnt: class_totals = 0 and n_terms = 0, so den = 0 + 1 · 0.
    const nb = new MultinomialNB();
    nb.learnOne({}, "a");
    expect(nb.predictOne({})).toBe("a");
    const e = learnErrorOf(() => nb.predictOne({ word: 1 }));
    expect(e.code).toBe("ERR_LEARN_MATH_DOMAIN");
    expect(e.message).toMatch(
      /feature "word" for class "a": its probability divides by zero \(1 \/ 0; River raises ZeroDivisionError\)/,
    );
  });

  it("ComplementNB with alpha = 0 raises on an unseen feature (River: math domain error)", () => {
    const nb = new ComplementNB({ alpha: 0 });
    nb.learnOne({ food: 2, meat: 1 }, "health").learnOne({ food: 1, job: 5 }, "butcher");
    expect(nb.predictOne({ food: 1 })).toBe("health");
    const e = learnErrorOf(() => nb.predictProbaOne({ taipei: 1 }));
    expect(e.code).toBe("ERR_LEARN_MATH_DOMAIN");
    expect(e.message).toMatch(/^ComplementNB cannot score feature "taipei" for class "health": .* log\(0\)/);
  });
});
