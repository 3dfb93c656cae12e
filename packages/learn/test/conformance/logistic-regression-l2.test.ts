/**
 * LogisticRegression with L2, absent features and an intercept, against River 0.24.2's algorithm.
 * River is not installed here and the golden traces only cover l2 = 0, so the expected numbers
 * were derived by hand from River 0.24.2's source (river/linear_model/base.py `GLM`,
 * river/optim/losses.py `Log`, river/optim/sgd.py `SGD`), step by step, in Python floats:
 *
 *   learn_one(x, y):                   # weights masked to the keys of x (`_enter_learn_mode(x)`)
 *     z  = Σ_{j in x} w_j · x_j + b     # raw dot product, in x's order
 *     g  = -y± / (e^(y±·z) + 1)         # Log.gradient, y± = ±1 (exp(-z)·-y± if y±·z > 18, -y± if < -18)
 *     g  = clamp(g, ±clip_gradient)
 *     G_j = x_j · g + l2 · w_j  for j in x only   # `gradient.iadd_scaled(self._weights, self.l2)`
 *     b  -= intercept_lr · g            # Constant(intercept_lr)
 *     w_j -= lr · G_j  for j in x       # SGD step over the gradient's keys; absent w untouched
 *   predict_proba_one(x) = {False: 1 - σ(z), True: σ(z)}, σ(z) = 1 / (1 + e^-z) (0/1 beyond ±30)
 *
 * Digits are Python's repr of each value. They were not taken from this port's output.
 */
import { describe, expect, it } from "vitest";
import { LogisticRegression } from "../../src/index.js";
import type { LogisticRegressionOptions } from "../../src/index.js";

interface Step {
  x: Record<string, number>;
  y: boolean;
  /** Weights and intercept after the step. */
  w: Record<string, number>;
  b: number;
}

function replay(options: LogisticRegressionOptions, steps: Step[]): LogisticRegression {
  const model = new LogisticRegression(options);
  steps.forEach((s, i) => {
    model.learnOne(s.x, s.y);
    expect(Object.keys(s.w), `step ${i + 1}: weight keys`).toEqual([...model.weights.keys()]);
    for (const [f, w] of Object.entries(s.w)) {
      expect(model.weights.get(f), `step ${i + 1}: w_${f}`).toBeCloseTo(w, 14);
    }
    expect(model.intercept, `step ${i + 1}: intercept`).toBeCloseTo(s.b, 14);
  });
  return model;
}

describe("LogisticRegression with l2 > 0 against River 0.24.2's algorithm", () => {
  it("learns {a:1} then {b:1} with l2 = 0.1: w_a stays 0.005 (the issue's example)", () => {
    // Step 1: z = 0, g = -1/(1+1) = -0.5, b = 0 + 0.01·0.5 = 0.005, w_a = -0.01·(-0.5 + 0.1·0) = 0.005.
    // Step 2: z = 0 (w_b) + 0.005 (b) = 0.005, g = -1/(e^0.005 + 1) = -0.49875000260416…,
    //         b = 0.005 - 0.01·g, w_b = -0.01·(g + 0.1·0); w_a is not in x, so it stays 0.005.
    // P(true | {a:1, b:1}) = σ(0.005 + 0.0049875000260416 + 0.0099875000260416).
    const model = replay({ l2: 0.1 }, [
      { x: { a: 1 }, y: true, w: { a: 0.005 }, b: 0.005 },
      { x: { b: 1 }, y: true, w: { a: 0.005, b: 0.004987500026041603 }, b: 0.009987500026041603 },
    ]);
    const p = model.predictProbaOne({ a: 1, b: 1 });
    expect(p.get(false)).toBeCloseTo(0.49500641602280326, 14);
    expect(p.get(true)).toBeCloseTo(0.5049935839771967, 14);
  });

  it("decays only present features, with an initial intercept and a zero-valued feature", () => {
    // l2 = 0.1, intercept_init = 0.25, SGD 0.01, intercept lr 0.01.
    // 1 {a:1} true:   z = 0.25, g = -1/(e^0.25+1) = -0.43782349911420193, w_a = -0.01·g.
    // 2 {b:1} true:   z = 0.25437823499114204 (b only), w_a untouched.
    // 3 {a:2,c:-1} false: z = 2·w_a - 0 + b = 0.26750216658600706, g = 1/(e^-z + 1),
    //                 w_a -= 0.01·(2g + 0.1·w_a), w_c = -0.01·(-g); w_b untouched.
    // 4 {b:0.5} false: z = 0.5·w_b + b = 0.2552646315296245, w_b -= 0.01·(0.5g + 0.1·w_b).
    // 5 {a:1,b:0} true: z = w_a + b = 0.24049044692748722; b has x_b = 0, so only its L2 term
    //                 moves it: w_b -= 0.01·(0·g + 0.1·w_b); w_c untouched.
    const model = replay({ l2: 0.1, interceptInit: 0.25 }, [
      { x: { a: 1 }, y: true, w: { a: 0.004378234991142019 }, b: 0.25437823499114204 },
      {
        x: { b: 1 },
        y: true,
        w: { a: 0.004378234991142019, b: 0.004367461612580999 },
        b: 0.25874569660372304,
      },
      {
        x: { a: 2, c: -1 },
        y: false,
        w: { a: -0.0069557350046271695, b: 0.004367461612580999, c: 0.005664795880389023 },
        b: 0.253080900723334,
      },
      {
        x: { b: 0.5 },
        y: false,
        w: { a: -0.0069557350046271695, b: 0.0015457347553586172, c: 0.005664795880389023 },
        b: 0.2474461819321144,
      },
      {
        x: { a: 1, b: 0 },
        y: true,
        w: { a: -0.0025471243562298915, b: 0.0015441890206032585, c: 0.005664795880389023 },
        b: 0.25184783684550704,
      },
    ]);
    const p = model.predictProbaOne({ a: 1, b: 1, c: 1 });
    expect(p.get(false)).toBeCloseTo(0.4362218946237121, 14);
    expect(p.get(true)).toBeCloseTo(0.5637781053762879, 14);
  });

  it("follows River with other rates, l2 = 0.01 and a negative initial intercept", () => {
    // lr 0.1, intercept lr 0.05, l2 0.01, intercept_init -0.5; features come and go.
    // 1 {x:3,y:-2} true: z = -0.5, g = -1/(e^-0.5+1), w_x = -0.1·3g, w_y = -0.1·(-2g).
    // 2 {y:1.5} false:   z = 1.5·w_y + b, w_y -= 0.1·(1.5g + 0.01·w_y); w_x untouched.
    // 3 {z:4} true:      z = b, w_z = -0.1·4g; w_x, w_y untouched.
    // 4 {x:1,z:-1} false: w_x -= 0.1·(g + 0.01·w_x), w_z -= 0.1·(-g + 0.01·w_z).
    // 5 {x:3,y:-2} true: z = 3·w_x - 2·w_y + b = 0.32506842382607537.
    const model = replay({ learningRate: 0.1, interceptLr: 0.05, l2: 0.01, interceptInit: -0.5 }, [
      {
        x: { x: 3, y: -2 },
        y: true,
        w: { x: 0.1867377993605564, y: -0.12449186624037092 },
        b: -0.4688770334399073,
      },
      {
        x: { y: 1.5 },
        y: false,
        w: { x: 0.1867377993605564, y: -0.17562617918208961 },
        b: -0.48596330170922697,
      },
      {
        x: { z: 4 },
        y: true,
        w: { x: 0.1867377993605564, y: -0.17562617918208961, z: 0.24766201176157707 },
        b: -0.45500555023902983,
      },
      {
        x: { x: 1, z: -1 },
        y: false,
        w: { x: 0.1491706132804354, y: -0.17562617918208961, z: 0.2847947980305759 },
        b: -0.47369577437941,
      },
      {
        x: { x: 3, y: -2 },
        y: true,
        w: { x: 0.2748537526224491, y: -0.25933875963977027, z: 0.2847947980305759 },
        b: -0.45272372272019434,
      },
    ]);
    const p = model.predictProbaOne({ x: 1, y: 1, z: 1 });
    expect(p.get(false)).toBeCloseTo(0.538029891860849, 14);
    expect(p.get(true)).toBeCloseTo(0.4619701081391509, 14);
    expect(model.predictOne({ x: 1, y: 1, z: 1 })).toBe(false);
  });
});
