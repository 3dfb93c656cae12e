import { describe, expect, it } from "vitest";
import {
  BagOfWords,
  MultinomialNB,
  Pipeline,
  iterProgressiveValScore,
  metrics,
  progressiveValScore,
} from "../index.js";

const data: [string, number][] = [
  ["good food", 1],
  ["bad food", 0],
  ["good service", 1],
  ["bad service", 0],
  ["good", 1],
];

describe("progressive validation", () => {
  it("predicts, scores when there is a prediction, then learns, like a hand-written loop", async () => {
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    const acc = await progressiveValScore(data, model, new metrics.Accuracy());
    const byHand = new Pipeline(new BagOfWords(), new MultinomialNB());
    const expected = new metrics.Accuracy();
    for (const [x, y] of data) {
      const p = byHand.predictOne(x);
      if (p !== undefined) expected.update(y, p);
      byHand.learnOne(x, y);
    }
    expect(acc.cm.totalWeight).toBe(4);
    expect(acc.get()).toBe(expected.get());
    expect(JSON.stringify(model)).toBe(JSON.stringify(byHand));
  });

  it("accepts async iterables and yields every step", async () => {
    async function* stream() {
      for (const d of data) yield await Promise.resolve(d);
    }
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    const seen: number[] = [];
    for await (const c of iterProgressiveValScore(stream(), model, new metrics.Accuracy(), { step: 2 }))
      seen.push(c.step);
    expect(seen).toEqual([2, 4, 5]);
  });

  it("feeds probabilities to metrics that need them", async () => {
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    const ll = await progressiveValScore(data, model, new metrics.LogLoss({ posVal: 1 }));
    expect(ll.get()).toBeGreaterThan(0);
  });

  it("stops when its signal is aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const model = new Pipeline(new BagOfWords(), new MultinomialNB());
    await expect(
      progressiveValScore(data, model, new metrics.Accuracy(), { signal: ac.signal }),
    ).rejects.toThrow();
  });
});
