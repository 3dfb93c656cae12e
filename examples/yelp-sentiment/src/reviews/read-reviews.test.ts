import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readFileSync } from "node:fs";

import { probeSharedFile, requireService } from "@weir/test-support";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";

import { YelpExampleError } from "../errors.js";
import { countLines } from "./count-lines.js";
import { readLines } from "./read-lines.js";
import type { DecodedLine } from "./read-lines.js";
import { readReviews } from "./read-reviews.js";
import type { ReviewRecord } from "./review-record.js";

const dir = mkdtempSync(join(tmpdir(), "weir-yelp-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect(path: string, options?: Parameters<typeof readReviews>[1]): Promise<ReviewRecord[]> {
  const records: ReviewRecord[] = [];
  for await (const record of readReviews(path, options)) records.push(record);
  return records;
}

const quote = (text: string): string => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Five kinds of broken rows, each a single physical line. */
const BROKEN = [
  { line: ",1", reason: /missing text/ },
  { line: "tasty but labelled wrong,2", reason: /label "2" is not one of the classes 0, 1/ },
  { line: "no label at all,", reason: /an empty label/ },
  { line: '"an unclosed quote, then the label,1', reason: /not closed/ },
  { line: "too, many, commas here,1", reason: /expected 2 fields, found 4/ },
  { line: '"bad "inner" quotes",0', reason: /unparsable CSV/ },
];

describe("readReviews on CSV", () => {
  it("delivers every good row and reports every bad one with its line number (5% malformed)", async () => {
    const lines = ["text,sentiment"];
    const good: { line: number; text: string; sentiment: number }[] = [];
    const bad: { line: number; reason: RegExp }[] = [];
    for (let i = 0; i < 400; i += 1) {
      if (i % 20 === 7) {
        const broken = BROKEN[((i / 20) % BROKEN.length) | 0] ?? BROKEN[0]!;
        lines.push(broken.line);
        bad.push({ line: lines.length, reason: broken.reason });
      } else {
        const text = i % 3 === 0 ? `Review ${i}, with a comma and "quotes"` : `Review number ${i} was fine`;
        lines.push(`${quote(text)},${i % 2}`);
        good.push({ line: lines.length, text, sentiment: i % 2 });
      }
    }
    const records = await collect(file("mixed.csv", `${lines.join("\n")}\n`));
    expect(bad.length / 400).toBe(0.05);
    expect(
      records
        .filter((r) => r.kind === "review")
        .map(({ line, text, sentiment }) => ({ line, text, sentiment })),
    ).toEqual(good);
    const reported = records.filter((r) => r.kind === "malformed");
    expect(reported.map((r) => r.line)).toEqual(bad.map((b) => b.line));
    reported.forEach((r, index) => expect(r.reason).toMatch(bad[index]!.reason));
  });

  it("reads other column names, CRLF line ends, a BOM and blank lines", async () => {
    const path = file("other.csv", '\uFEFFid,review,stars\r\n1,"Great, really",1\r\n\r\n2,Awful,0\r\n');
    const records = await collect(path, { textColumn: "review", labelColumn: "stars" });
    expect(records).toEqual([
      { kind: "review", line: 2, text: "Great, really", sentiment: 1 },
      { kind: "review", line: 4, text: "Awful", sentiment: 0 },
    ]);
  });

  it("accepts the classes it is given and rejects the others", async () => {
    const path = file("stars.csv", "text,sentiment\nok,3\nbad,0\n");
    const records = await collect(path, { classes: [1, 2, 3] });
    expect(records.map((r) => r.kind)).toEqual(["review", "malformed"]);
  });

  it("names the header and the option to use when a column is missing", async () => {
    const path = file("nolabel.csv", "text,label\nfine,1\n");
    const failure = await collect(path).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(YelpExampleError);
    expect(failure).toMatchObject({ code: "WEIR_YELP_COLUMN" });
    expect((failure as Error).message).toMatch(
      /no label column "sentiment" \(its header is: text, label\).*--label-column/,
    );
  });

  it("fails with a clear error when the file does not exist", async () => {
    const path = join(dir, "missing.csv");
    const failure = await collect(path).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "WEIR_YELP_FILE" });
    expect((failure as Error).message).toBe(
      `The reviews file ${path} does not exist. Pass an existing CSV file with --data (without --data the bundled sample is used).`,
    );
  });

  it("names the path when it is a directory instead of failing with a bare EISDIR", async () => {
    const failure = await collect(dir).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "WEIR_YELP_FILE" });
    expect((failure as Error).message).toBe(
      `${dir} is a directory, not a reviews file. Pass the CSV file itself with --data.`,
    );
  });
});

describe("readReviews on bytes that are not UTF-8", () => {
  // Line 3 is Latin-1 (0xE9), line 5 has a stray 0xFF inside quotes; line 4 holds a real U+FFFD (EF BF BD).
  const bytes = Buffer.concat([
    Buffer.from("text,sentiment\ngood food,1\ncaf"),
    Buffer.from([0xe9]),
    Buffer.from(' was bad,0\nnice \uFFFD ok,1\n"quoted, '),
    Buffer.from([0xff]),
    Buffer.from(' bad",0\nlast one,1\n'),
  ]);

  it("sets aside each such line with its line number, and leaves a real U+FFFD alone", async () => {
    const path = join(dir, "latin1.csv");
    writeFileSync(path, bytes);
    const records = await collect(path);
    expect(records.map((r) => [r.kind, r.line])).toEqual([
      ["review", 2],
      ["malformed", 3],
      ["review", 4],
      ["malformed", 5],
      ["review", 6],
    ]);
    for (const record of records.filter((r) => r.kind === "malformed"))
      expect(record).toMatchObject({
        reason: expect.stringMatching(/not valid UTF-8.*--allow-replacement/) as unknown,
      });
    expect(records[2]).toEqual({ kind: "review", line: 4, text: "nice \uFFFD ok", sentiment: 1 });
  });

  it("reads them with U+FFFD in place of the bad bytes, and says so, when replacements are allowed", async () => {
    const path = join(dir, "latin1-allowed.csv");
    writeFileSync(path, bytes);
    const records = await collect(path, { allowReplacement: true });
    expect(records).toEqual([
      { kind: "review", line: 2, text: "good food", sentiment: 1 },
      { kind: "review", line: 3, text: "caf\uFFFD was bad", sentiment: 0, replacement: true },
      { kind: "review", line: 4, text: "nice \uFFFD ok", sentiment: 1 },
      { kind: "review", line: 5, text: "quoted, \uFFFD bad", sentiment: 0, replacement: true },
      { kind: "review", line: 6, text: "last one", sentiment: 1 },
    ]);
  });

  it("does the same for the UCI layout", async () => {
    const path = join(dir, "latin1.txt");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("fine\t1\nna"), Buffer.from([0xef]), Buffer.from("ve\t0\n")]),
    );
    expect((await collect(path)).map((r) => [r.kind, r.line])).toEqual([
      ["review", 1],
      ["malformed", 2],
    ]);
    expect(await collect(path, { allowReplacement: true })).toContainEqual({
      kind: "review",
      line: 2,
      text: "na\uFFFDve",
      sentiment: 0,
      replacement: true,
    });
  });
});

describe("readLines", () => {
  async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
    for (const part of parts) yield await Promise.resolve(part);
  }
  async function lines(...parts: Buffer[]): Promise<DecodedLine[]> {
    const all: DecodedLine[] = [];
    for await (const batch of readLines(chunks(...parts))) all.push(...batch);
    return all;
  }

  it("decodes a character split across two chunks as valid UTF-8", async () => {
    const e = Buffer.from("é"); // C3 A9
    expect(
      await lines(Buffer.from("caf"), e.subarray(0, 1), Buffer.concat([e.subarray(1), Buffer.from("\nok")])),
    ).toEqual([
      { text: "café", invalidUtf8: false },
      { text: "ok", invalidUtf8: false },
    ]);
  });

  it("ends lines at \\n, \\r\\n and a lone \\r, as node:readline does", async () => {
    expect((await lines(Buffer.from("a\r\nb\rc\nd"))).map((l) => l.text)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("readReviews on the UCI tab-separated format", () => {
  it("reads sentence<TAB>label lines without a header and reports bad ones", async () => {
    const path = file(
      "uci.txt",
      'Good food, "really".\t1\nNot good.  \t0\nno tab here 1\n\t1\nOdd label\t7\n',
    );
    const records = await collect(path);
    expect(records).toEqual([
      { kind: "review", line: 1, text: 'Good food, "really".', sentiment: 1 },
      { kind: "review", line: 2, text: "Not good.", sentiment: 0 },
      expect.objectContaining({
        kind: "malformed",
        line: 3,
        reason: expect.stringMatching(/sentence<TAB>label/) as unknown,
      }),
      expect.objectContaining({
        kind: "malformed",
        line: 4,
        reason: expect.stringMatching(/missing text/) as unknown,
      }),
      expect.objectContaining({
        kind: "malformed",
        line: 5,
        reason: expect.stringMatching(/label "7"/) as unknown,
      }),
    ]);
  });
});

describe("the shipped sample data", () => {
  it("has at least 320 well-formed, roughly balanced reviews of 4 to 40 words", async () => {
    const records = await collect(new URL("../../data/reviews.csv", import.meta.url).pathname);
    expect(records.every((r) => r.kind === "review")).toBe(true);
    const reviews = records.flatMap((r) => (r.kind === "review" ? [r] : []));
    expect(reviews.length).toBeGreaterThanOrEqual(320);
    const positive = reviews.filter((r) => r.sentiment === 1).length;
    expect(Math.abs(positive / reviews.length - 0.5)).toBeLessThan(0.05);
    for (const r of reviews) expect(r.text.split(/\s+/).length).toBeGreaterThanOrEqual(4);
    for (const r of reviews) expect(r.text.split(/\s+/).length).toBeLessThanOrEqual(40);
    expect(new Set(reviews.map((r) => r.text)).size).toBe(reviews.length);
  });
});

const yelp20k = await requireService("shared data/yelp-20k.csv", () => probeSharedFile("data/yelp-20k.csv"));

describe("reading well-formed files", () => {
  /** csv-parse on the whole file at once: what the line-by-line reader must agree with. */
  function wholeFile(path: string): { text: string; sentiment: number }[] {
    const rows = parse<Record<string, string>>(readFileSync(path, "utf8"), { columns: true, bom: true });
    return rows.map((row) => ({ text: row.text ?? "", sentiment: Number(row.sentiment) }));
  }
  const paths: [string, string][] = [
    ["the shipped sample", new URL("../../data/reviews.csv", import.meta.url).pathname],
    ...(yelp20k.value === undefined ? [] : [["yelp-20k.csv", yelp20k.value] as [string, string]]),
  ];
  it.each(paths)("gives %s exactly as csv-parse reads the whole file", async (_, path) => {
    const records = await collect(path);
    const reviews = records.map((r) => (r.kind === "review" ? { text: r.text, sentiment: r.sentiment } : r));
    expect(reviews).toEqual(wholeFile(path));
  });
  it("splits lines without quotes as a CSV parser does, empty fields included", async () => {
    const path = file("unquoted.csv", "a,text,sentiment,b\n,plain words here,1,\nx,more words,0,y z\n");
    const records = await collect(path);
    expect(records).toEqual([
      { kind: "review", line: 2, text: "plain words here", sentiment: 1 },
      { kind: "review", line: 3, text: "more words", sentiment: 0 },
    ]);
  });
});

describe("countLines", () => {
  it("counts lines with or without a final newline", async () => {
    expect(await countLines(file("a.txt", "a\nb\nc\n"))).toBe(3);
    expect(await countLines(file("b.txt", "a\nb\nc"))).toBe(3);
    expect(await countLines(file("c.txt", ""))).toBe(0);
  });
});
