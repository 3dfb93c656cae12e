import { isUtf8 } from "node:buffer";

/** One physical line of a file, decoded as UTF-8. */
export interface DecodedLine {
  readonly text: string;
  /**
   * `true` when the line held bytes that are not valid UTF-8: `text` has U+FFFD in their place. A
   * U+FFFD that the file really contains (bytes EF BF BD) does not set it.
   */
  readonly invalidUtf8: boolean;
}

/**
 * Splits a byte stream into lines and decodes each one as UTF-8, saying which lines held bytes
 * that are not UTF-8 (a text decoder would replace them with U+FFFD without a word). Lines end
 * with `\n`, `\r\n` or a lone `\r`, as for `node:readline`. Yields the lines of each chunk
 * together, so that a large file does not cost one promise per line.
 *
 * @example
 * for await (const lines of readLines(createReadStream("reviews.csv"))) {
 *   for (const line of lines) if (line.invalidUtf8) console.warn("not UTF-8:", line.text);
 * }
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<DecodedLine[], void, undefined> {
  // The start of a line that continues in the next chunk(s).
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    const lines: DecodedLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
      let bytes = chunk.subarray(start, end);
      if (pending.length > 0) {
        pending.push(bytes);
        bytes = Buffer.concat(pending);
        pending = [];
      }
      decodeInto(lines, bytes[bytes.length - 1] === 13 ? bytes.subarray(0, bytes.length - 1) : bytes);
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    if (lines.length > 0) yield lines;
  }
  if (pending.length > 0) {
    const lines: DecodedLine[] = [];
    decodeInto(lines, Buffer.concat(pending));
    yield lines;
  }
}

function decodeInto(lines: DecodedLine[], bytes: Buffer): void {
  const text = bytes.toString("utf8");
  // Only a line with U+FFFD in it can have been repaired; checking its bytes tells which it was.
  const invalidUtf8 = text.includes("\uFFFD") && !isUtf8(bytes);
  if (!text.includes("\r")) {
    lines.push({ text, invalidUtf8 });
    return;
  }
  for (const part of text.split("\r")) lines.push({ text: part, invalidUtf8 });
}
