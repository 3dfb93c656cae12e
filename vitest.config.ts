import { defineConfig } from "vitest/config";

/** The fresh-clone test runs `npm test` in a clone of its own: it goes last, alone, on a quiet machine. */
const FRESH_CLONE = "examples/*/test/fresh-clone.e2e.test.ts";

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A CI run must never end green by running nothing.
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        test: {
          name: "weir",
          // Unit tests sit next to their code in src/; end-to-end suites and test helpers live in test/.
          include: [
            "packages/*/{src,test}/**/*.test.{ts,tsx}",
            "examples/*/{src,test}/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", "**/dist/**", FRESH_CLONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "fresh clone", include: [FRESH_CLONE], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
