import { describe, expect, it } from "vitest";
import {
  ADWIN,
  BagOfWords,
  BernoulliNB,
  ComplementNB,
  LearnError,
  LogisticRegression,
  MultinomialNB,
  PageHinkley,
  Pipeline,
  TFIDF,
  restore,
} from "./index.js";

const texts: [string, number][] = Array.from({ length: 60 }, (_, i) => [
  `${["good", "bad", "great", "awful", "fine"][i % 5]} ${["food", "service", "place"][i % 3]} ${i % 7 === 0 ? "never again" : "ok"}`,
  i % 5 === 1 || i % 5 === 3 ? 0 : 1,
]);

/** JSON text round trip, as a crash and restart would do. */
const viaJson = (x: { toJSON(): unknown }): unknown => restore(JSON.parse(JSON.stringify(x)));

describe("checkpoints", () => {
  const pipelines = {
    "BagOfWords + MultinomialNB": () => new Pipeline(new BagOfWords(), new MultinomialNB()),
    "BagOfWords + BernoulliNB": () => new Pipeline(new BagOfWords(), new BernoulliNB()),
    "BagOfWords + ComplementNB": () => new Pipeline(new BagOfWords(), new ComplementNB()),
    "TFIDF + MultinomialNB": () => new Pipeline(new TFIDF(), new MultinomialNB()),
    "bigrams + MultinomialNB": () =>
      new Pipeline(new BagOfWords({ ngramRange: [1, 2], stopWords: ["ok"] }), new MultinomialNB()),
    "BagOfWords + LogisticRegression": () => new Pipeline(new BagOfWords(), new LogisticRegression()),
  };

  for (const [name, make] of Object.entries(pipelines)) {
    it(`restores ${name} mid-stream and continues with identical predictions`, () => {
      const a = make();
      let b = make();
      texts.forEach(([t, y], i) => {
        if (i === 30) b = viaJson(b) as Pipeline<string>;
        expect([...b.predictProbaOne(t)]).toEqual([...a.predictProbaOne(t)]);
        a.learnOne(t, y);
        b.learnOne(t, y);
      });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    });
  }

  it("restores ADWIN and PageHinkley mid-stream with identical detections and statistics", () => {
    const xs = Array.from({ length: 3000 }, (_, i) =>
      i < 1500 ? ((i * 7919) % 3 === 0 ? 1 : 0) : (i * 104729) % 5 === 0 ? 0 : 1,
    );
    const a = { adwin: new ADWIN(), ph: new PageHinkley() };
    let b = { adwin: new ADWIN(), ph: new PageHinkley() };
    const seen: boolean[] = [];
    xs.forEach((x, i) => {
      if (i === 1200 || i === 1600)
        b = { adwin: viaJson(b.adwin) as ADWIN, ph: viaJson(b.ph) as PageHinkley };
      a.adwin.update(x);
      a.ph.update(x);
      b.adwin.update(x);
      b.ph.update(x);
      expect([b.adwin.driftDetected, b.adwin.width, b.adwin.variance, b.ph.driftDetected]).toEqual([
        a.adwin.driftDetected,
        a.adwin.width,
        a.adwin.variance,
        a.ph.driftDetected,
      ]);
      seen.push(a.adwin.driftDetected || a.ph.driftDetected);
    });
    expect(seen.some(Boolean)).toBe(true);
  });

  it("refuses to save custom functions, and says why", () => {
    const bow = new BagOfWords({ tokenizer: (t) => t.split(" ") });
    expect(() => bow.toJSON()).toThrow(LearnError);
    expect(() => bow.toJSON()).toThrow(/custom preprocessor or tokenizer function/);
  });

  it("rejects what is not a checkpoint", () => {
    expect(() => restore("{}")).toThrow(/Call JSON.parse first/);
    expect(() => restore({ format: "other" })).toThrow(/Not a @weir\/learn checkpoint/);
    expect(() => restore({ format: "@weir/learn", version: 1, type: "Nope", state: {} })).toThrow(
      /Unknown checkpoint type "Nope"/,
    );
  });
});
