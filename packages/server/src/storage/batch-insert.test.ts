import { describe, expect, it } from "vitest";

import { chunkLengths } from "./batch-insert.js";

describe("chunk lengths of a batch insert", () => {
  it("cover every row with a few statement sizes, largest first", () => {
    for (const n of [0, 1, 7, 999, 1000, 1234, 10_000]) {
      const lengths = chunkLengths(n);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(n);
      expect([...lengths].sort((a, b) => b - a)).toEqual(lengths);
    }
    expect(chunkLengths(1234)).toEqual([1000, 100, 100, 25, 5, 1, 1, 1, 1]);
    const sizes = new Set(Array.from({ length: 3000 }, (_, n) => chunkLengths(n)).flat());
    expect(sizes.size).toBeLessThanOrEqual(9);
  });
});
