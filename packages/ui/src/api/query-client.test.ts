import { describe, expect, it } from "vitest";

import { ApiError } from "../errors.js";
import { retryDelay, shouldRetry } from "./query-client.js";

describe("the retry policy", () => {
  it("does not retry what the server refused or does not have (4xx)", () => {
    expect(shouldRetry(0, new ApiError(404, "WEIR_RUN_NOT_FOUND", "no such run"))).toBe(false);
    expect(shouldRetry(0, new ApiError(400, "WEIR_BAD_CURSOR", "bad cursor"))).toBe(false);
  });

  it("retries server faults and network failures three times", () => {
    const fault = new ApiError(503, "HTTP_503", "restarting");
    expect([0, 1, 2, 3].map((n) => shouldRetry(n, fault))).toEqual([true, true, true, false]);
    expect(shouldRetry(0, new TypeError("Failed to fetch"))).toBe(true);
  });

  it("waits longer after each failure, never more than 30 seconds", () => {
    for (let n = 0; n < 10; n++) {
      const ceiling = Math.min(1000 * 2 ** n, 30_000);
      const delay = retryDelay(n);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
