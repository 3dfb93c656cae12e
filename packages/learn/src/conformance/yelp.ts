/** Shared loading for the conformance suites (test-only). */
import { readFileSync } from "node:fs";
import { readLabelledCsv } from "../testing/csv.js";
import { sharedFile } from "../testing/golden.js";

export const GOLDEN = "golden/river/";

/** Paths of the golden files a suite needs, or `undefined` if any is missing (see `sharedFile`). */
export function goldenPaths<K extends string>(files: Record<K, string>): Record<K, string> | undefined {
  const out = {} as Record<K, string>;
  for (const [k, rel] of Object.entries(files) as [K, string][]) {
    const p = sharedFile(rel);
    if (p === undefined) return undefined;
    out[k] = p;
  }
  return out;
}

/** The 750 rows of `yelp.csv` in file order. */
export function loadYelp(path: string): { text: string; label: number }[] {
  return readLabelledCsv(readFileSync(path, "utf8"), "text", "sentiment");
}
