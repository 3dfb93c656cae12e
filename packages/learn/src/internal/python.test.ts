import { describe, expect, it } from "vitest";
import { center, compareLabels, formatFixed, formatPercent, pyFloatRepr, thousands } from "./python.js";

describe("Python formatting", () => {
  it("rounds exact ties to even like Python, not away from zero like toFixed", () => {
    expect(formatFixed(0.125, 2)).toBe("0.12");
    expect(formatFixed(0.375, 2)).toBe("0.38");
    expect(formatFixed(2.5, 0)).toBe("2");
    expect(formatFixed(0.1 + 0.2, 2)).toBe("0.30");
    expect(formatPercent(2 / 3, 2)).toBe("66.67%");
    expect(formatFixed(-0.001, 2)).toBe("-0.00");
  });

  it("writes floats as Python's repr does", () => {
    expect([373, 0.1, 1e-5, 1e16, 123456789012345680, 2.5, -0.0].map(pyFloatRepr)).toEqual([
      "373.0",
      "0.1",
      "1e-05",
      "1e+16",
      "1.2345678901234568e+17",
      "2.5",
      "-0.0",
    ]);
  });

  it("centres, groups thousands and sorts labels like Python", () => {
    expect(center("ab", 7)).toBe("  ab   ");
    expect(thousands(9747)).toBe("9,747");
    expect(thousands(1234567)).toBe("1,234,567");
    expect(["b", "a", "B"].sort(compareLabels)).toEqual(["B", "a", "b"]);
    expect([true, 0, 2].sort(compareLabels)).toEqual([0, true, 2]);
  });
});
