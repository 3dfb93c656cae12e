import type { ReadStream, Stats } from "node:fs";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

import { CsvError } from "csv-parse";
import { parse } from "csv-parse/sync";

import { YelpExampleError } from "../errors.js";
import { readLines } from "./read-lines.js";
import type { ReviewRecord } from "./review-record.js";

/** How a data file is laid out. */
export type ReviewsFormat = "csv" | "uci" | "auto";

/** Options of {@link readReviews}. */
export interface ReadReviewsOptions {
  /**
   * `csv`: a header row, comma-separated, RFC 4180 quoting. `uci`: the UCI "Sentiment Labelled
   * Sentences" layout, `sentence<TAB>label` with no header. `auto`: `uci` when the first line ends
   * in a tab and a number, otherwise `csv`.
   * @default "auto"
   */
  readonly format?: ReviewsFormat;
  /** CSV column holding the review text. @default "text" */
  readonly textColumn?: string;
  /** CSV column holding the label. @default "sentiment" */
  readonly labelColumn?: string;
  /** The labels a row may carry; any other label makes the row malformed. @default [0, 1] */
  readonly classes?: readonly number[];
  /**
   * A line holding bytes that are not valid UTF-8 is set aside as malformed unless this is `true`;
   * then it is read with U+FFFD in their place, and the review says so (`replacement: true`).
   * @default false
   */
  readonly allowReplacement?: boolean;
  /** Called once the layout is known: after the CSV header (its line number), or at the first UCI line. */
  readonly onLayout?: (layout: ReviewsLayout) => void;
  /** Stops reading (the iterator ends quietly) when aborted. */
  readonly signal?: AbortSignal;
}

/** How a file turned out to be laid out. */
export interface ReviewsLayout {
  readonly format: "csv" | "uci";
  /** Line number of the CSV header; 0 for UCI (no header). */
  readonly headerLine: number;
}

/** Why a line with bytes that are not UTF-8 is not published. */
export const INVALID_UTF8_REASON =
  "bytes that are not valid UTF-8 (convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8`, " +
  "or publish such rows with U+FFFD in their place with --allow-replacement)";

const UCI_LINE = /\t\s*-?\d+(\.\d+)?\s*$/;

/**
 * Reads a labelled review file as a stream, one record per physical line, and yields each row
 * either as a `review` or as a `malformed` row with its line number and the reason. A bad row
 * never stops the reader: one record per line means an unclosed quote spoils only its own line
 * (a streaming CSV parser would swallow the rest of the file into that field).
 *
 * A line with bytes that are not UTF-8 is malformed too, unless `allowReplacement` (then it is
 * read with U+FFFD in their place and marked `replacement: true`).
 *
 * Throws {@link YelpExampleError} only for problems with the whole file: it does not exist, is a
 * directory or cannot be opened, or the header lacks the text or label column.
 *
 * @example
 * for await (const record of readReviews("data/reviews.csv")) {
 *   if (record.kind === "review") console.log(record.line, record.sentiment, record.text);
 *   else console.warn(`line ${record.line}: ${record.reason}`);
 * }
 */
export async function* readReviews(
  path: string,
  options: ReadReviewsOptions = {},
): AsyncGenerator<ReviewRecord, void, undefined> {
  const classes = new Set(options.classes ?? [0, 1]);
  const textColumn = options.textColumn ?? "text";
  const labelColumn = options.labelColumn ?? "sentiment";
  const encoding: Encoding = { allowReplacement: options.allowReplacement ?? false };
  const input = await openReviewsFile(path);
  let format: "csv" | "uci" | undefined = options.format === "auto" ? undefined : options.format;
  let columns: Columns | undefined;
  let announced = false;
  let lineNumber = 0;
  let batch: NumberedLine[] = [];
  try {
    for await (const lines of readLines(input)) {
      for (const decoded of lines) {
        lineNumber += 1;
        if (options.signal?.aborted) return;
        const line = lineNumber === 1 ? decoded.text.replace(/^\uFEFF/, "") : decoded.text;
        if (line.trim() === "") continue;
        const entry = { line, lineNumber, invalidUtf8: decoded.invalidUtf8 };
        format ??= UCI_LINE.test(line) ? "uci" : "csv";
        if (format === "uci") {
          if (!announced) options.onLayout?.({ format, headerLine: 0 });
          announced = true;
          yield checkEncoding(entry, encoding, () => parseUciLine(line, lineNumber, classes));
        } else if (columns === undefined) {
          columns = readHeader(line, path, textColumn, labelColumn);
          options.onLayout?.({ format, headerLine: lineNumber });
        } else {
          batch.push(entry);
          if (batch.length >= BATCH_LINES) {
            yield* parseCsvBatch(batch, columns, classes, textColumn, encoding);
            batch = [];
          }
        }
      }
    }
    if (columns !== undefined) yield* parseCsvBatch(batch, columns, classes, textColumn, encoding);
  } finally {
    input.destroy();
  }
}

/**
 * Opens the file, or says in one sentence what is wrong with the path and what to do (a bare
 * `EISDIR` or `ENOENT` names neither). `checkReviewsFile` reports these before a publisher starts.
 */
async function openReviewsFile(path: string): Promise<ReadStream> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (info.isDirectory()) {
    throw new YelpExampleError(
      "WEIR_YELP_FILE",
      `${path} is a directory, not a reviews file. Pass the CSV file itself with --data.`,
    );
  }
  const input = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    input.once("open", () => resolve());
    input.once("error", (error) => reject(fileError(path, error)));
  });
  return input;
}

function fileError(path: string, error: unknown): YelpExampleError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === "ENOENT"
      ? `The reviews file ${path} does not exist. Pass an existing CSV file with --data (without --data the bundled sample is used).`
      : code === "EACCES" || code === "EPERM"
        ? `Cannot read the reviews file ${path}: permission denied. Make it readable or pass another file with --data.`
        : `Cannot read the reviews file ${path}: ${error instanceof Error ? error.message : String(error)}.`;
  return new YelpExampleError("WEIR_YELP_FILE", message, { cause: error });
}

interface Columns {
  readonly text: number;
  readonly label: number;
  readonly count: number;
}

interface NumberedLine {
  readonly line: string;
  readonly lineNumber: number;
  readonly invalidUtf8: boolean;
}

interface Encoding {
  readonly allowReplacement: boolean;
}

/** Lines parsed by one csv-parse call: per-call set-up dominates when parsing line by line. */
const BATCH_LINES = 512;

/**
 * Parses a batch of lines. A line without quotes is split on commas, which is all a CSV parser
 * would do with it; the quoted ones go to csv-parse in one call, and if any of them is broken, one
 * call per line, so that the error lands on its own line. A line with an odd number of quotes
 * cannot be a one-line record, so it is reported before it can pull its neighbours into an open
 * field. A line that is not UTF-8 is set aside unparsed unless replacements are allowed.
 */
function* parseCsvBatch(
  batch: readonly NumberedLine[],
  columns: Columns,
  classes: ReadonlySet<number>,
  textColumn: string,
  encoding: Encoding,
): Generator<ReviewRecord> {
  // Lines set aside for their encoding (-1) are not parsed.
  const quotes = batch.map((entry) =>
    entry.invalidUtf8 && !encoding.allowReplacement ? -1 : quoteCount(entry.line),
  );
  const quoted = batch.filter((_, index) => quotes[index]! > 0 && quotes[index]! % 2 === 0);
  let rows: string[][] | undefined;
  if (quoted.length > 0) {
    try {
      rows = parse(quoted.map((entry) => entry.line).join("\n"), { relax_column_count: true });
      if (rows.length !== quoted.length) rows = undefined;
    } catch {
      rows = undefined;
    }
  }
  let next = 0;
  for (const [index, entry] of batch.entries()) {
    const count = quotes[index]!;
    yield checkEncoding(entry, encoding, () => {
      const fields = count === 0 ? entry.line.split(",") : count % 2 === 0 ? rows?.[next++] : undefined;
      return fields === undefined
        ? parseCsvLine(entry.line, entry.lineNumber, columns, classes, textColumn)
        : toRecord(fields, entry.line, entry.lineNumber, columns, classes, textColumn);
    });
  }
}

/** The line's record, or malformed if it is not UTF-8 and replacements are not allowed. */
function checkEncoding(entry: NumberedLine, encoding: Encoding, parseLine: () => ReviewRecord): ReviewRecord {
  if (!entry.invalidUtf8) return parseLine();
  if (!encoding.allowReplacement) return malformed(entry.lineNumber, INVALID_UTF8_REASON, entry.line);
  const record = parseLine();
  return record.kind === "review" ? { ...record, replacement: true } : record;
}

function quoteCount(line: string): number {
  let count = 0;
  for (let index = line.indexOf('"'); index >= 0; index = line.indexOf('"', index + 1)) count += 1;
  return count;
}

function readHeader(line: string, path: string, textColumn: string, labelColumn: string): Columns {
  let header: string[];
  try {
    header = parse(line)[0]?.map((name) => name.trim()) ?? [];
  } catch (error) {
    throw new YelpExampleError(
      "WEIR_YELP_FILE",
      `The header of ${path} is not valid CSV: ${String(error)}.`,
      {
        cause: error,
      },
    );
  }
  const text = header.indexOf(textColumn);
  const label = header.indexOf(labelColumn);
  if (text < 0 || label < 0) {
    const missing = text < 0 ? `text column "${textColumn}"` : `label column "${labelColumn}"`;
    const flag = text < 0 ? "--text-column" : "--label-column";
    throw new YelpExampleError(
      "WEIR_YELP_COLUMN",
      `${path} has no ${missing} (its header is: ${header.join(", ")}). Name the right one with ${flag}.`,
    );
  }
  return { text, label, count: header.length };
}

function parseCsvLine(
  line: string,
  lineNumber: number,
  columns: Columns,
  classes: ReadonlySet<number>,
  textColumn: string,
): ReviewRecord {
  let fields: string[];
  try {
    fields = parse(line, { relax_column_count: true })[0] ?? [];
  } catch (error) {
    return malformed(lineNumber, `unparsable CSV: ${describeCsvError(error)}`, line);
  }
  return toRecord(fields, line, lineNumber, columns, classes, textColumn);
}

function toRecord(
  fields: readonly string[],
  line: string,
  lineNumber: number,
  columns: Columns,
  classes: ReadonlySet<number>,
  textColumn: string,
): ReviewRecord {
  if (fields.length !== columns.count) {
    return malformed(
      lineNumber,
      `expected ${columns.count} fields, found ${fields.length} (quote a text that contains commas)`,
      line,
    );
  }
  const text = fields[columns.text] ?? "";
  if (text.trim() === "") return malformed(lineNumber, `missing text in column "${textColumn}"`, line);
  return labelled(lineNumber, text, fields[columns.label] ?? "", classes, line);
}

function parseUciLine(line: string, lineNumber: number, classes: ReadonlySet<number>): ReviewRecord {
  const tab = line.lastIndexOf("\t");
  if (tab < 0) return malformed(lineNumber, "unparsable: expected sentence<TAB>label", line);
  const text = line.slice(0, tab).trim();
  if (text === "") return malformed(lineNumber, "missing text before the tab", line);
  return labelled(lineNumber, text, line.slice(tab + 1), classes, line);
}

function labelled(
  lineNumber: number,
  text: string,
  rawLabel: string,
  classes: ReadonlySet<number>,
  line: string,
): ReviewRecord {
  const trimmed = rawLabel.trim();
  const sentiment = trimmed === "" ? Number.NaN : Number(trimmed);
  if (!classes.has(sentiment)) {
    const shown = trimmed === "" ? "an empty label" : `label "${trimmed}"`;
    return malformed(lineNumber, `${shown} is not one of the classes ${[...classes].join(", ")}`, line);
  }
  return { kind: "review", line: lineNumber, text, sentiment };
}

function malformed(line: number, reason: string, raw: string): ReviewRecord {
  return { kind: "malformed", line, reason, raw: raw.length > 200 ? `${raw.slice(0, 200)}…` : raw };
}

function describeCsvError(error: unknown): string {
  if (error instanceof CsvError) {
    if (error.code === "CSV_QUOTE_NOT_CLOSED") return "a quoted field is not closed on this line";
    if (error.code === "CSV_INVALID_CLOSING_QUOTE")
      return 'a quote inside a quoted field must be doubled ("")';
    return error.message;
  }
  return String(error);
}
