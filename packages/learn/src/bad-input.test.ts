import { describe, expect, it } from "vitest";
import {
  ADWIN,
  BagOfWords,
  BernoulliNB,
  ComplementNB,
  LearnTypeError,
  LogisticRegression,
  MultinomialNB,
  PageHinkley,
  Pipeline,
  TFIDF,
  metrics,
} from "./index.js";

/** Runs `fn` and returns the TypeError it throws (failing the test if it does not). */
function typeErrorOf(fn: () => unknown): TypeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError);
    expect(e).toBeInstanceOf(LearnTypeError);
    return e as TypeError;
  }
  throw new Error("expected a TypeError, nothing was thrown");
}

const pipeline = () => new Pipeline(new BagOfWords(), new MultinomialNB());

describe("bad input gives a TypeError naming the argument and what was expected", () => {
  it("rejects a missing label", () => {
    const e = typeErrorOf(() => pipeline().learnOne("good food", undefined as never));
    expect(e.message).toMatch(
      /Argument "y" of Pipeline\.learnOne must be a label \(a finite number, a string or a boolean\); got undefined/,
    );
    for (const nb of [new MultinomialNB(), new BernoulliNB(), new ComplementNB()]) {
      expect(typeErrorOf(() => nb.learnOne({ a: 1 }, undefined as never)).message).toMatch(
        /Argument "y" of \w+NB\.learnOne must be a label/,
      );
    }
    expect(
      typeErrorOf(() => new LogisticRegression().learnOne({ a: 1 }, undefined as never)).message,
    ).toMatch(
      /Argument "y" of LogisticRegression\.learnOne must be a binary label \(true\/false or 0\/1\); got undefined/,
    );
  });

  it("rejects NaN as a label, a feature value, a detector input and an option", () => {
    expect(typeErrorOf(() => pipeline().learnOne("text", NaN)).message).toMatch(
      /Argument "y" .* got number NaN/,
    );
    expect(typeErrorOf(() => new MultinomialNB().learnOne({ a: NaN }, 1)).message).toMatch(
      /Argument "x" of MultinomialNB\.learnOne: feature "a" must be a finite number ≥ 0 \(a count or a TF-IDF weight\); got number NaN/,
    );
    expect(typeErrorOf(() => new MultinomialNB().predictOne(new Map([["a", NaN]]))).message).toMatch(
      /feature "a" must be a finite number/,
    );
    expect(typeErrorOf(() => new ADWIN().update(NaN)).message).toMatch(
      /Argument "x" of ADWIN\.update must be a finite number; got number NaN/,
    );
    expect(typeErrorOf(() => new PageHinkley().update(NaN)).message).toMatch(
      /Argument "x" of PageHinkley\.update must be a finite number/,
    );
    expect(typeErrorOf(() => new MultinomialNB({ alpha: NaN })).message).toMatch(
      /Option "alpha" of MultinomialNB must be a number; got number NaN/,
    );
    expect(typeErrorOf(() => new metrics.ConfusionMatrix().update(NaN, 1)).message).toMatch(
      /Argument "yTrue" of ConfusionMatrix\.update/,
    );
  });

  const featureModels = {
    MultinomialNB: () => new MultinomialNB(),
    BernoulliNB: () => new BernoulliNB(),
    ComplementNB: () => new ComplementNB(),
    LogisticRegression: () => new LogisticRegression(),
  };

  for (const [name, make] of Object.entries(featureModels)) {
    it(`rejects ±Infinity and NaN feature values in ${name} at learnOne and at prediction, naming the feature`, () => {
      const model = make();
      model.learnOne({ good: 1 }, 1).learnOne({ bad: 1 }, 0);
      for (const v of [Infinity, -Infinity, NaN]) {
        for (const x of [
          { good: 1, odd: v },
          new Map([
            ["good", 1],
            ["odd", v],
          ]),
        ]) {
          const calls: [string, () => unknown][] = [
            ["learnOne", () => model.learnOne(x, 1)],
            ["predictOne", () => model.predictOne(x)],
            ["predictProbaOne", () => model.predictProbaOne(x)],
          ];
          for (const [method, call] of calls) {
            expect(typeErrorOf(call).message).toBe(
              `Argument "x" of ${name}.${method}: feature "odd" must be a finite number` +
                (name === "MultinomialNB" || name === "ComplementNB"
                  ? " ≥ 0 (a count or a TF-IDF weight)"
                  : "") +
                `; got number ${String(v)}.`,
            );
          }
        }
      }
    });
  }

  it("rejects negative counts in multinomial and complement naive Bayes, not in the other models", () => {
    for (const nb of [new MultinomialNB(), new ComplementNB()]) {
      nb.learnOne({ good: 1 }, 1);
      expect(typeErrorOf(() => nb.learnOne({ good: -2 }, 1)).message).toMatch(
        /feature "good" must be a finite number ≥ 0 \(a count or a TF-IDF weight\); got number -2\./,
      );
      expect(typeErrorOf(() => nb.predictProbaOne(new Map([["good", -1]]))).message).toMatch(
        /\.predictProbaOne: feature "good" must be a finite number ≥ 0/,
      );
    }
    expect(new BernoulliNB().learnOne({ a: -1 }, 1).predictOne({ a: -1 })).toBe(1);
    expect(new LogisticRegression().learnOne({ a: -1 }, 1).predictOne({ a: -1 })).toBe(true);
  });

  it("leaves a model unchanged when it rejects an input: probabilities stay finite and the checkpoint restores", () => {
    for (const make of Object.values(featureModels)) {
      const model = make();
      model.learnOne({ good: 1 }, 1).learnOne({ bad: 1 }, 0);
      const before = JSON.stringify(model);
      expect(() => model.learnOne({ good: 2, huge: Infinity }, 0)).toThrow(LearnTypeError);
      expect(JSON.stringify(model)).toBe(before);
      expect(JSON.stringify(model)).not.toContain("null");
      for (const p of model.predictProbaOne({ good: 1 }).values()) expect(Number.isFinite(p)).toBe(true);
    }
  });

  it("rejects a non-string text where a string is required", () => {
    expect(typeErrorOf(() => pipeline().predictOne(42)).message).toMatch(
      /Argument "x" of BagOfWords\.predictOne must be a string; got number 42/,
    );
    expect(typeErrorOf(() => pipeline().learnOne(null, 1)).message).toMatch(/must be a string; got null/);
    expect(typeErrorOf(() => new BagOfWords().transformOne({ text: "a" })).message).toMatch(
      /must be a string; got an object\. To read a field of a record, set the "on" option/,
    );
    expect(typeErrorOf(() => new TFIDF().learnOne(3 as never)).message).toMatch(
      /Argument "x" of TFIDF\.learnOne must be a string/,
    );
    expect(typeErrorOf(() => new BagOfWords({ on: "text" }).transformOne({ text: 5 })).message).toMatch(
      /Field "text" of argument "x" of BagOfWords\.transformOne must be a string; got number 5/,
    );
    expect(typeErrorOf(() => new MultinomialNB().learnOne("raw text" as never, 1)).message).toMatch(
      /must be features .* got string "raw text"\. Put a vectorizer such as BagOfWords in front/,
    );
  });

  it("rejects an unknown option name and lists the known ones", () => {
    const e = typeErrorOf(() => new BagOfWords({ lowercas: true } as never));
    expect(e.message).toBe(
      'Unknown option "lowercas" for BagOfWords (known: on, stripAccents, lowercase, preprocessor, stopWords, tokenizerPattern, tokenizer, ngramRange).',
    );
    expect((e as LearnTypeError).code).toBe("ERR_LEARN_UNKNOWN_OPTION");
    expect(typeErrorOf(() => new MultinomialNB({ smoothing: 1 } as never)).message).toMatch(
      /Unknown option "smoothing" for MultinomialNB \(known: alpha\)/,
    );
    expect(typeErrorOf(() => new metrics.Precision({ pos: 0 } as never)).message).toMatch(
      /Unknown option "pos" for Precision \(known: cm, posVal\)/,
    );
    expect(typeErrorOf(() => new ADWIN({ window: 3 } as never)).message).toMatch(
      /Unknown option "window" for ADWIN/,
    );
    expect(typeErrorOf(() => new TFIDF({ norm: true } as never)).message).toMatch(
      /Unknown option "norm" for TFIDF/,
    );
    expect(typeErrorOf(() => new LogisticRegression({ lr: 0.1 } as never)).message).toMatch(
      /Unknown option "lr" for LogisticRegression/,
    );
  });

  it("rejects options of the wrong type", () => {
    expect(typeErrorOf(() => new BagOfWords({ lowercase: "yes" } as never)).message).toMatch(
      /Option "lowercase" of BagOfWords must be a boolean; got string "yes"/,
    );
    expect(typeErrorOf(() => new BagOfWords({ ngramRange: [2, 1] })).message).toMatch(
      /Option "ngramRange" of BagOfWords must be \[min, max\]/,
    );
    expect(typeErrorOf(() => new metrics.Accuracy({ cm: {} } as never)).message).toMatch(
      /Option "cm" of Accuracy must be a ConfusionMatrix/,
    );
    expect(typeErrorOf(() => new metrics.Rolling(new metrics.Accuracy(), 0)).message).toMatch(
      /Argument "windowSize" of Rolling must be a positive integer; got number 0/,
    );
  });

  it("accepts an empty text: no tokens, so the prediction comes from the class priors", () => {
    const model = pipeline();
    model.learnOne("great food", 1).learnOne("great service", 1).learnOne("awful", 0);
    expect(model.predictOne("")).toBe(1);
    const p = model.predictProbaOne("");
    expect(p.get(1)).toBeCloseTo(2 / 3, 15);
    expect(p.get(0)).toBeCloseTo(1 / 3, 15);
    model.learnOne("", 0).learnOne("", 0);
    expect(model.predictOne("")).toBe(0);
    expect(new BagOfWords().transformOne("").size).toBe(0);
    expect(new TFIDF().transformOne("").size).toBe(0);
  });

  it("returns undefined and empty probabilities before anything was learnt", () => {
    expect(pipeline().predictOne("anything")).toBeUndefined();
    expect(pipeline().predictProbaOne("anything").size).toBe(0);
  });
});
