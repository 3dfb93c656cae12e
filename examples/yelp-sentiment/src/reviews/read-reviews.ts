import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

import { CsvError } from "csv-parse";
import { parse } from "csv-parse/sync";

import { YelpExampleError } from "../errors.js";
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
  /** Stops reading (the iterator ends quietly) when aborted. */
  readonly signal?: AbortSignal;
}

const UCI_LINE = /\t\s*-?\d+(\.\d+)?\s*$/;

/**
 * Reads a labelled review file as a stream, one record per physical line, and yields each row
 * either as a `review` or as a `malformed` row with its line number and the reason. A bad row
 * never stops the reader: one record per line means an unclosed quote spoils only its own line
 * (a streaming CSV parser would swallow the rest of the file into that field).
 *
 * Throws {@link YelpExampleError} only for problems with the whole file: it cannot be opened, or
 * the header lacks the text or label column.
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
  const input = createReadStream(path, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    input.once("open", () => resolve());
    input.once("error", (error) =>
      reject(
        new YelpExampleError("WEIR_YELP_FILE", `Cannot read the reviews file ${path}: ${error.message}.`, {
          cause: error,
        }),
      ),
    );
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let format: "csv" | "uci" | undefined = options.format === "auto" ? undefined : options.format;
  let columns: Columns | undefined;
  let lineNumber = 0;
  let batch: NumberedLine[] = [];
  try {
    for await (const rawLine of lines) {
      lineNumber += 1;
      if (options.signal?.aborted) return;
      const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, "") : rawLine;
      if (line.trim() === "") continue;
      format ??= UCI_LINE.test(line) ? "uci" : "csv";
      if (format === "uci") {
        yield parseUciLine(line, lineNumber, classes);
      } else if (columns === undefined) {
        columns = readHeader(line, path, textColumn, labelColumn);
      } else {
        batch.push({ line, lineNumber });
        if (batch.length >= BATCH_LINES) {
          yield* parseCsvBatch(batch, columns, classes, textColumn);
          batch = [];
        }
      }
    }
    if (columns !== undefined) yield* parseCsvBatch(batch, columns, classes, textColumn);
  } finally {
    lines.close();
    input.destroy();
  }
}

interface Columns {
  readonly text: number;
  readonly label: number;
  readonly count: number;
}

interface NumberedLine {
  readonly line: string;
  readonly lineNumber: number;
}

/** Lines parsed by one csv-parse call: per-call set-up dominates when parsing line by line. */
const BATCH_LINES = 512;

/**
 * Parses a batch of lines. A line without quotes is split on commas, which is all a CSV parser
 * would do with it; the quoted ones go to csv-parse in one call, and if any of them is broken, one
 * call per line, so that the error lands on its own line. A line with an odd number of quotes
 * cannot be a one-line record, so it is reported before it can pull its neighbours into an open
 * field.
 */
function* parseCsvBatch(
  batch: readonly NumberedLine[],
  columns: Columns,
  classes: ReadonlySet<number>,
  textColumn: string,
): Generator<ReviewRecord> {
  const quotes = batch.map((entry) => quoteCount(entry.line));
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
    const fields = count === 0 ? entry.line.split(",") : count % 2 === 0 ? rows?.[next++] : undefined;
    yield fields === undefined
      ? parseCsvLine(entry.line, entry.lineNumber, columns, classes, textColumn)
      : toRecord(fields, entry.line, entry.lineNumber, columns, classes, textColumn);
  }
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
