import { ASCII_WORD, isWordCodePoint } from "./unicode.js";

// Module-local aliases: some loaders (tsx, bundlers) turn imported bindings into getters, which
// would cost a call per character in the loops below.
const WORD = ASCII_WORD;
const isWord = isWordCodePoint;

/**
 * The default tokenizer: Python's `re.finditer(r"(?u)\b\w[\w\-]+\b", text)` with Python's Unicode
 * `\w`, written as one pass over char codes. A token starts at a word character, runs over word
 * characters and hyphens, drops trailing hyphens, and must keep at least two code points.
 * Tokens are pushed onto `out`, which is returned.
 *
 * @example
 * ```ts
 * tokenize("x-ray well-known -dash dash- a b"); // ["x-ray", "well-known", "dash", "dash"]
 * ```
 */
export function tokenize(text: string, out: string[] = []): string[] {
  scanTokens(text, (start, end) => {
    out.push(text.slice(start, end));
  });
  return out;
}

/**
 * The scanner behind `tokenize`: calls `emit(start, end)` with the UTF-16 range of each token,
 * in order, without allocating. @internal
 */
export function scanTokens(text: string, emit: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    let size = 1;
    if (c < 128) {
      if (WORD[c] === 0) {
        i++;
        continue;
      }
    } else {
      const cp = text.codePointAt(i) as number;
      size = cp > 0xffff ? 2 : 1;
      if (!isWord(cp)) {
        i += size;
        continue;
      }
    }
    const start = i;
    i += size;
    let end = i; // just past the last word character
    while (i < n) {
      c = text.charCodeAt(i);
      if (c < 128) {
        if (WORD[c] === 1) end = ++i;
        else if (c === 45) i++;
        else break;
      } else {
        const cp = text.codePointAt(i) as number;
        if (!isWord(cp)) break;
        i += cp > 0xffff ? 2 : 1;
        end = i;
      }
    }
    // At least two code points: two UTF-16 units are one code point when they form a pair.
    const len = end - start;
    if (len > 2 || (len === 2 && size === 1)) emit(start, end);
  }
}

/**
 * River's `tokenize_using_regex_pattern` for a custom pattern (JavaScript regex semantics): the
 * first capture group if the pattern has one, else the whole match.
 *
 * @example
 * ```ts
 * tokenizeWithPattern("iterative n-gram generation", /[a-z\-]+/); // ["iterative", "n-gram", "generation"]
 * ```
 */
export function tokenizeWithPattern(text: string, pattern: RegExp, out: string[] = []): string[] {
  const re = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
  for (const m of text.matchAll(re)) {
    const token = m.length > 1 && m[1] !== undefined ? m[1] : m[0];
    out.push(token);
  }
  return out;
}

/**
 * Separator between the tokens of an n-gram feature name (River uses tuples).
 *
 * @example
 * ```ts
 * new BagOfWords({ ngramRange: [2, 2] }).transformOne("good food"); // Map { "good food" => 1 }
 * ```
 */
export const NGRAM_SEPARATOR = " ";

/**
 * River's `find_all_ngrams`: all n-grams for n in `[min, max]`, unigrams first, each n-gram joined
 * with a single space.
 *
 * @example
 * ```ts
 * allNgrams(["a", "b", "c"], 1, 3); // ["a", "b", "c", "a b", "b c", "a b c"]
 * ```
 */
export function allNgrams(tokens: readonly string[], min: number, max: number): string[] {
  const out: string[] = [];
  for (let n = min; n <= max; n++) {
    if (n <= 0) continue;
    if (n === 1) {
      for (const t of tokens) out.push(t);
      continue;
    }
    for (let i = 0; i + n <= tokens.length; i++) {
      let g = tokens[i] as string;
      for (let j = 1; j < n; j++) g += NGRAM_SEPARATOR + (tokens[i + j] as string);
      out.push(g);
    }
  }
  return out;
}
