import { describe, expect, it } from "vitest";

import { formatBytes, formatLatency, formatRate, formatScore, sortedAliases } from "./model-format.js";

describe("the figures of the model pages", () => {
  it("writes latencies in milliseconds, and a dash when nothing was measured", () => {
    expect(formatLatency(0.214)).toBe("0.21 ms");
    expect(formatLatency(163.4)).toBe("163 ms");
    expect(formatLatency(null)).toBe("—");
  });

  it("keeps a few predictions a minute visible in the rate", () => {
    expect(formatRate(0)).toBe("0/s");
    expect(formatRate(0.05)).toBe("0.05/s");
    expect(formatRate(12.44)).toBe("12.4/s");
    expect(formatRate(1250.4)).toBe("1,250/s");
  });

  it("writes scores as percentages and sizes in decimal units", () => {
    expect(formatScore(0.9166)).toBe("91.7%");
    expect(formatScore(null)).toBe("—");
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(14_200)).toBe("14.2 kB");
    expect(formatBytes(3_100_000)).toBe("3.1 MB");
  });

  it("lists the aliases people set first, alphabetically, and latest last", () => {
    expect(sortedAliases({ latest: 3, production: 2, candidate: 3 })).toEqual([
      ["candidate", 3],
      ["production", 2],
      ["latest", 3],
    ]);
  });
});
