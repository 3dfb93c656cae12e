import { describe, expect, it } from "vitest";

import { ChartSampler } from "./chart-sampler.js";

function sampler(options: { every?: number; maxPerSecond?: number }) {
  let clock = 0;
  const charted: [number, number][] = [];
  const instance = new ChartSampler({
    ...options,
    chart: (step, [value]) => charted.push([step, value as number]),
    now: () => clock,
  });
  return { instance, charted, advance: (ms: number) => (clock += ms) };
}

describe("ChartSampler", () => {
  it("charts every step of a slow stream", () => {
    const { instance, charted, advance } = sampler({});
    for (let n = 1; n <= 5; n++) {
      instance.offer(n, [n / 10]);
      advance(40); // 25 steps a second, the demo's rate
    }
    instance.flush();
    expect(charted).toEqual([1, 2, 3, 4, 5].map((n) => [n, n / 10]));
  });

  it("charts at most maxPerSecond points of a fast stream and ends on the latest values", () => {
    const { instance, charted, advance } = sampler({ maxPerSecond: 100 });
    for (let n = 1; n <= 20_000; n++) {
      instance.offer(n, [n]);
      advance(0.05); // 20,000 steps a second
    }
    expect(charted.length).toBeGreaterThanOrEqual(100);
    expect(charted.length).toBeLessThanOrEqual(101);
    expect(charted[0]).toEqual([1, 1]);
    expect(charted.at(-1)?.[0]).toBeLessThan(20_000);
    instance.flush();
    expect(charted.at(-1)).toEqual([20_000, 20_000]);
    instance.flush();
    expect(charted.at(-1)).toEqual([20_000, 20_000]);
    expect(charted.filter(([step]) => step === 20_000)).toHaveLength(1);
  });

  it("charts every step with no limit, and every n-th step with `every`", () => {
    const unlimited = sampler({ maxPerSecond: 0 });
    for (let n = 1; n <= 1000; n++) unlimited.instance.offer(n, [n]);
    expect(unlimited.charted).toHaveLength(1000);

    const sparse = sampler({ every: 10, maxPerSecond: 0 });
    for (let n = 1; n <= 95; n++) sparse.instance.offer(n, [n]);
    expect(sparse.charted.map(([step]) => step)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    sparse.instance.flush();
    expect(sparse.charted.at(-1)).toEqual([95, 95]);
  });
});
