import { describe, expect, it } from "vitest";
import { tokenize } from "./tokenize.js";
import { isCombining, isWordCodePoint, stripAccents } from "./unicode.js";
import { EncodedDoc, Vocabulary } from "./vocabulary.js";

describe("the default tokenizer", () => {
  it("keeps inner hyphens, drops trailing ones and one-character tokens, splits apostrophes", () => {
    expect(tokenize("x-ray well-known -dash dash- a-b -- a b don't")).toEqual([
      "x-ray",
      "well-known",
      "dash",
      "dash",
      "a-b",
      "don",
    ]);
  });

  it("counts code points, not UTF-16 units: one astral letter is too short, two are a token", () => {
    const a = "\u{20000}"; // a CJK ideograph outside the BMP (a letter)
    expect(isWordCodePoint(0x20000)).toBe(true);
    expect(tokenize(`${a} ${a}${a} x${a}`)).toEqual([`${a}${a}`, `x${a}`]);
  });

  it("treats combining marks as non-word characters, as Python's \\w does", () => {
    expect(tokenize("i\u0307stanbul")).toEqual(["stanbul"]);
    expect(isCombining(0x0301)).toBe(true);
    expect(isCombining(0x0065)).toBe(false);
  });

  it("strips accents only from non-ASCII text, through NFKD", () => {
    expect(stripAccents("plain ascii")).toBe("plain ascii");
    expect(stripAccents("Café ﬁne ＡＢＣ")).toBe("Cafe fine ABC");
  });
});

describe("the token-id encoder", () => {
  it("gives the same tokens, in the same first-occurrence order and counts, as tokenize on the lower-cased text", () => {
    const vocab = new Vocabulary();
    const doc = new EncodedDoc();
    for (const text of ["The cat and THE Cat-Fish", "a--b b--a A--B", "x-ray-- _under_ 42 4 2"]) {
      expect(doc.encodeAscii(text, vocab, true)).toBe(true);
      const mine = Array.from(doc.ids.subarray(0, doc.n), (id, i) => [vocab.tokens[id], doc.counts[i]]);
      const counts = new Map<string, number>();
      for (const t of tokenize(text.toLowerCase())) counts.set(t, (counts.get(t) ?? 0) + 1);
      expect(mine).toEqual([...counts]);
    }
    expect(doc.encodeAscii("naïve", vocab, true)).toBe(false);
  });

  it("gives the same tokens as tokenize on normalised non-ASCII text, astral letters and marks included", () => {
    const vocab = new Vocabulary();
    const doc = new EncodedDoc();
    const texts = [
      "café crème café",
      "i\u0307stanbul ist",
      "\u{20000}\u{20000} x\u{20000} \u{20000}",
      "日本語 テキスト 日本語",
      "naïve-ly ok--",
      "",
    ];
    for (const text of texts) {
      doc.encode(text, vocab);
      const mine = Array.from(doc.ids.subarray(0, doc.n), (id, i) => [vocab.tokens[id], doc.counts[i]]);
      const counts = new Map<string, number>();
      for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
      expect(mine, JSON.stringify(text)).toEqual([...counts]);
    }
  });

  it("interns each distinct token once, across a growing vocabulary", () => {
    const vocab = new Vocabulary();
    const doc = new EncodedDoc();
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
    doc.encodeAscii(words.join(" "), vocab, true);
    doc.encodeAscii(words.join(" "), vocab, true);
    expect(vocab.size).toBe(20_000);
    expect(doc.n).toBe(20_000);
    expect(vocab.tokens.slice(0, 3)).toEqual(["w0", "w1", "w2"]);
  });
});
