/**
 * Python's Unicode rules that the default tokenizer depends on, rebuilt from JavaScript's own
 * Unicode data: `\w` (`str.isalnum()` or `_`) and `unicodedata.combining()`.
 */

/** ASCII `\w`: `[0-9A-Za-z_]`. Indexed by char code. */
export const ASCII_WORD: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  t[95] = 1;
  return t;
})();

// Python's isalnum() = isalpha() (Lu, Ll, Lt, Lm, Lo) or isnumeric() (Nd, Nl, No and the CJK
// ideographs with a numeric value, which are Lo anyway).
const WORD_RE = /^[\p{L}\p{N}_]$/u;

// Lazily filled cache for the BMP: 0 = not computed, 1 = word, 2 = not a word.
let bmpWord: Uint8Array | undefined;

/** Whether a code point is Python's Unicode `\w`. */
export function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return ASCII_WORD[cp] === 1;
  if (cp <= 0xffff) {
    bmpWord ??= new Uint8Array(0x10000);
    const cached = bmpWord[cp];
    if (cached !== 0) return cached === 1;
    const w = WORD_RE.test(String.fromCharCode(cp));
    bmpWord[cp] = w ? 1 : 2;
    return w;
  }
  return WORD_RE.test(String.fromCodePoint(cp));
}

const combiningCache = new Map<number, boolean>();

/**
 * `unicodedata.combining(c) != 0`: whether the canonical combining class is non-zero.
 * JavaScript exposes no combining class, but canonical reordering reveals it: a mark with class
 * k > 1 moves in front of U+0334 (class 1), and a mark with class 1..239 moves in front of
 * U+0345 (class 240). A class-0 character never moves.
 */
export function isCombining(cp: number): boolean {
  if (cp < 0x300) return false;
  const cached = combiningCache.get(cp);
  if (cached !== undefined) return cached;
  const c = String.fromCodePoint(cp);
  const result =
    ("\u0345" + c).normalize("NFD") !== "\u0345" + c || (c + "\u0334").normalize("NFD") !== c + "\u0334";
  combiningCache.set(cp, result);
  return result;
}

/** Whether every UTF-16 unit of `s` is ASCII. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * River's `strip_accents_unicode`: leaves pure-ASCII text alone; otherwise NFKD-normalises and
 * drops characters whose combining class is non-zero. NFKD also rewrites compatibility characters
 * (`ﬁ` → `fi`, full-width forms → ASCII).
 *
 * @example
 * ```ts
 * stripAccents("Café ﬁne"); // "Cafe fine"
 * ```
 */
export function stripAccents(s: string): string {
  if (isAscii(s)) return s;
  const normalized = s.normalize("NFKD");
  let out = "";
  let runStart = 0;
  for (let i = 0; i < normalized.length;) {
    const cp = normalized.codePointAt(i) as number;
    const size = cp > 0xffff ? 2 : 1;
    if (isCombining(cp)) {
      out += normalized.slice(runStart, i);
      runStart = i + size;
    }
    i += size;
  }
  return runStart === 0 ? normalized : out + normalized.slice(runStart);
}
