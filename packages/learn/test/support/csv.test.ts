import { describe, expect, it } from "vitest";
import { parseCsv, readLabelledCsv } from "./csv.js";

describe("the test CSV reader", () => {
  it("handles quotes, doubled quotes, commas and line breaks inside quoted fields", () => {
    expect(parseCsv('text,label\n"a, b",1\n"say ""hi""",0\nplain,1\n"two\nlines",0\n')).toEqual([
      ["text", "label"],
      ["a, b", "1"],
      ['say "hi"', "0"],
      ["plain", "1"],
      ["two\nlines", "0"],
    ]);
  });

  it("accepts CRLF and a missing final newline, and maps columns by name", () => {
    expect(readLabelledCsv('sentiment,text\r\n1,"x,y"\r\n0,z', "text", "sentiment")).toEqual([
      { text: "x,y", label: 1 },
      { text: "z", label: 0 },
    ]);
  });
});
