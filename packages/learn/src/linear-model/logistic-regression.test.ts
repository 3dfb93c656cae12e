import { describe, expect, it } from "vitest";
import { LogisticRegression } from "../index.js";

describe("LogisticRegression with L2", () => {
  it("leaves the weights of features absent from the example alone (River's masked learn mode)", () => {
    // River 0.24.2 learns with the weights masked to the keys of x, so the L2 term of step 2
    // ({b: 1}) does not touch w_a. Step 1 ({a: 1}, true, l2 = 0.1, SGD 0.01, intercept lr 0.01):
    //   z = 0, g = -1 / (e^0 + 1) = -0.5, w_a = 0 - 0.01 · (1 · -0.5 + 0.1 · 0) = 0.005.
    // Decaying every weight at every step would give w_a = 0.005 - 0.01 · 0.1 · 0.005 = 0.004995
    // (0.00499 with the 2·l2 coefficient).
    const lr = new LogisticRegression({ l2: 0.1 });
    lr.learnOne({ a: 1 }, true);
    expect(lr.weights.get("a")).toBe(0.005);
    lr.learnOne({ b: 1 }, true);
    expect(lr.weights.get("a")).toBe(0.005);
  });

  it("adds l2 · w to the gradient of a present feature once, not twice", () => {
    // Step 2 ({a: 1}, true again): z = w_a + b = 0.005 + 0.005 = 0.01,
    //   g = -1 / (e^0.01 + 1), w_a = 0.005 - 0.01 · (1 · g + 0.1 · 0.005).
    const lr = new LogisticRegression({ l2: 0.1 });
    lr.learnOne({ a: 1 }, true).learnOne({ a: 1 }, true);
    const g = -1 / (Math.exp(0.01) + 1);
    expect(lr.weights.get("a")).toBeCloseTo(0.005 - 0.01 * (g + 0.1 * 0.005), 15);
    expect(lr.weights.get("a")).not.toBeCloseTo(0.005 - 0.01 * (g + 2 * 0.1 * 0.005), 9);
  });
});
