import { describe, expect, it } from "vitest";
import { exponentialBackoff, retryDelayFor, sleep } from "./retry-policy.js";

describe("retry policy", () => {
  it("doubles the delay in ms from initialDelayMs up to maxDelayMs without jitter", () => {
    const delay = exponentialBackoff({ initialDelayMs: 1000, factor: 2, maxDelayMs: 5000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map(delay)).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it("spreads delays within ±jitter", () => {
    const delay = exponentialBackoff({ initialDelayMs: 10, jitter: 0.2 });
    const samples = Array.from({ length: 200 }, () => delay(1));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...samples)).toBeLessThanOrEqual(12);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });

  it("reads a number, a list (last entry repeats) or a function", () => {
    expect(retryDelayFor(3, 2)).toBe(3);
    expect([1, 2, 3, 4].map((n) => retryDelayFor([1, 5, 30], n))).toEqual([1, 5, 30, 30]);
    expect(retryDelayFor((n) => n * 10, 3)).toBe(30);
    expect(retryDelayFor(undefined, 1)).toBe(0);
    expect(retryDelayFor(-1, 1)).toBe(0);
  });

  it("stops sleeping when the signal aborts, with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    setTimeout(() => controller.abort(reason), 10);
    await expect(sleep(10_000, controller.signal)).rejects.toBe(reason);
  });
});
