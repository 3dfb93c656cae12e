/** Shared loading for the conformance suites (test-only). */
import { readFileSync } from "node:fs";
import { readLabelledCsv } from "../support/csv.js";

export const GOLDEN = "golden/river/";

/** The 750 rows of `yelp.csv` in file order. */
export function loadYelp(path: string): { text: string; label: number }[] {
  return readLabelledCsv(readFileSync(path, "utf8"), "text", "sentiment");
}
