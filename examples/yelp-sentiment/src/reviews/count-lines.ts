import { createReadStream } from "node:fs";

/**
 * Counts the newline-terminated lines of a file without decoding it (for the progress bar's ETA).
 *
 * @example
 * const total = await countLines("data/reviews.csv"); // header included
 */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let index = chunk.indexOf(10); index >= 0; index = chunk.indexOf(10, index + 1)) count += 1;
    if (chunk.length > 0) last = chunk[chunk.length - 1] ?? 10;
  }
  return last === 10 ? count : count + 1;
}
