import { readReviews } from "./read-reviews.js";
import type { ReadReviewsOptions, ReviewsLayout } from "./read-reviews.js";

/**
 * Checks, before a publisher starts, what would make it fail the same way on every attempt: the
 * file does not exist, is a directory or cannot be read, or its header lacks the text or label
 * column. Throws the reader's `YelpExampleError` (one sentence naming the path or the column
 * and what to do); otherwise returns the file's layout. Reads only up to the first rows.
 *
 * @example
 * const { headerLine } = await checkReviewsFile("data/reviews.csv", { labelColumn: "stars" });
 */
export async function checkReviewsFile(
  path: string,
  options: Pick<ReadReviewsOptions, "format" | "textColumn" | "labelColumn"> = {},
): Promise<ReviewsLayout> {
  let layout: ReviewsLayout | undefined;
  const reader = readReviews(path, { ...options, onLayout: (found) => (layout = found) });
  try {
    while (layout === undefined && (await reader.next()).done !== true);
  } finally {
    await reader.return(undefined);
  }
  // A file without any non-blank line: nothing to publish, nothing wrong either.
  return layout ?? { format: options.format === "uci" ? "uci" : "csv", headerLine: 0 };
}
