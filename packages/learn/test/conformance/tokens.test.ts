import { expect, it } from "vitest";
import { BagOfWords } from "../../src/index.js";
import { describeShared, readJsonl, sharedFiles } from "../support/golden.js";
import { GOLDEN } from "./yelp.js";

const paths = await sharedFiles({
  edge: `${GOLDEN}tokens_edge_cases.jsonl`,
  first20: `${GOLDEN}tokens_yelp_first20.jsonl`,
});

type Counts = [string | string[], number][];

/** River's pairs with n-gram tuples joined the way BagOfWords names them. */
function asEntries(counts: Counts): [string, number][] {
  return counts.map(([t, n]) => [Array.isArray(t) ? t.join(" ") : t, n]);
}

describeShared("BagOfWords tokens against River (tokens_*.jsonl)", paths, (p) => {
  const edge = readJsonl<{
    text: string;
    source: string;
    default: Counts;
    no_lower: Counts;
    no_strip: Counts;
  }>(p.edge);
  const first20 = readJsonl<{ i: number; text: string; bow: Counts; bow_bigram: Counts }>(p.first20);

  const configs = [
    ["default", new BagOfWords()],
    ["no_lower", new BagOfWords({ lowercase: false })],
    ["no_strip", new BagOfWords({ stripAccents: false })],
  ] as const;

  for (const [name, bow] of configs) {
    it(`tokenizes all ${edge.length} edge cases like River with the ${name} configuration`, () => {
      for (const row of edge) {
        expect([...bow.transformOne(row.text)], JSON.stringify(row.text)).toEqual(asEntries(row[name]));
      }
    });
  }

  it("covers the Unicode cases the README lists (accents, ß, ligatures, full width, İ, Σ, CJK, emoji)", () => {
    const texts = edge.map((r) => r.text).join(" ");
    for (const probe of [
      "Ångström",
      "Straße",
      "ﬁne",
      "１２３",
      "İstanbul",
      "ΟΔΥΣΣΕΥΣ",
      "日本語",
      "😀",
      "\u2009",
    ]) {
      expect(texts).toContain(probe);
    }
    expect(edge.filter((r) => r.source === "yelp_non_ascii")).toHaveLength(3);
  });

  it("counts the first 20 yelp texts like River, unigrams and bigrams", () => {
    const uni = new BagOfWords({ lowercase: true });
    const bi = new BagOfWords({ lowercase: true, ngramRange: [1, 2] });
    for (const row of first20) {
      expect([...uni.transformOne(row.text)], `row ${row.i}`).toEqual(asEntries(row.bow));
      expect([...bi.transformOne(row.text)], `row ${row.i}`).toEqual(asEntries(row.bow_bigram));
    }
  });
});
