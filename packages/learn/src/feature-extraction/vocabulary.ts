import { ASCII_WORD, isWordCodePoint } from "./unicode.js";

// Module-local aliases (see tokenize.ts): no getter call per character under any loader.
const WORD = ASCII_WORD;
const isWord = isWordCodePoint;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

// ASCII char codes with capitals mapped to lower case, and unchanged.
const FOLD_LOWER = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));
const FOLD_NONE = Uint8Array.from({ length: 128 }, (_, c) => c);

/**
 * Interns tokens straight from the text, without creating a string per occurrence: tokens are
 * hashed from their char codes and looked up in an open-addressing table whose entries point into
 * a pool of char codes; a string is created only the first time a token is seen. Internal to the
 * text → naive Bayes fast path; it is a cache, not model state, so it is never saved.
 * @internal
 */
export class Vocabulary {
  /** Token text by id. */
  readonly tokens: string[] = [];
  // Open addressing; each slot holds [id, hash] side by side so a probe touches one cache line.
  private table = new Int32Array(2 << 12).fill(-1);
  private mask = (1 << 12) - 1;
  private hashes: Int32Array = new Int32Array(1 << 10);
  // Char codes of every token, back to back: token `id` is pool[starts[id] .. starts[id + 1]).
  private pool: Uint16Array = new Uint16Array(1 << 14);
  private starts: Int32Array = new Int32Array(1 << 10);
  private used = 0;

  get size(): number {
    return this.tokens.length;
  }

  /** Id of the token `text[start, end)`, interning it if new. */
  intern(text: string, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    return this.internHashed(text, start, end, h);
  }

  /** Id of the token `text[start, end)` whose FNV-1a hash (over its UTF-16 units) is `h`. */
  internHashed(text: string, start: number, end: number, h: number): number {
    let slot = h & this.mask;
    const len = end - start;
    const table = this.table;
    for (;;) {
      const id = table[slot << 1] as number;
      if (id === -1) break;
      if (table[(slot << 1) + 1] === h) {
        const from = this.starts[id] as number;
        if ((this.starts[id + 1] as number) - from === len) {
          let k = 0;
          while (k < len && this.pool[from + k] === text.charCodeAt(start + k)) k++;
          if (k === len) return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insert(slot, h, text.slice(start, end));
  }

  /**
   * Id of the ASCII token `text[start, end)` (after `fold`) whose FNV-1a hash is `h`, interning it
   * if new.
   */
  internAscii(text: string, start: number, end: number, h: number, fold: Uint8Array): number {
    // The probe of `internHashed`, written out with `fold` in the comparison: the hot path of ASCII
    // text, where a shared helper would call a mapping function for every character compared.
    // jscpd:ignore-start
    let slot = h & this.mask;
    const len = end - start;
    const table = this.table;
    const pool = this.pool;
    for (;;) {
      const id = table[slot << 1] as number;
      if (id === -1) break;
      if (table[(slot << 1) + 1] === h) {
        const from = this.starts[id] as number;
        if ((this.starts[id + 1] as number) - from === len) {
          let k = 0;
          while (k < len && pool[from + k] === fold[text.charCodeAt(start + k)]) k++;
          if (k === len) return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    // jscpd:ignore-end

    const raw = text.slice(start, end);
    return this.insert(slot, h, fold === FOLD_LOWER ? raw.toLowerCase() : raw);
  }

  private insert(slot: number, h: number, token: string): number {
    const id = this.tokens.length;
    this.tokens.push(token);
    if (id + 2 > this.hashes.length) {
      this.hashes = grow32(this.hashes, (id + 2) * 2);
      this.starts = grow32(this.starts, (id + 2) * 2);
    }
    if (this.used + token.length > this.pool.length) {
      const p = new Uint16Array(Math.max(this.pool.length * 2, this.used + token.length));
      p.set(this.pool);
      this.pool = p;
    }
    for (let k = 0; k < token.length; k++) this.pool[this.used + k] = token.charCodeAt(k);
    this.starts[id] = this.used;
    this.used += token.length;
    this.starts[id + 1] = this.used;
    this.hashes[id] = h;
    this.table[slot << 1] = id;
    this.table[(slot << 1) + 1] = h;
    if ((id + 1) * 2 > this.mask) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const table = new Int32Array(size * 2).fill(-1);
    this.mask = size - 1;
    for (let id = 0; id < this.tokens.length; id++) {
      const h = this.hashes[id] as number;
      let slot = h & this.mask;
      while (table[slot << 1] !== -1) slot = (slot + 1) & this.mask;
      table[slot << 1] = id;
      table[(slot << 1) + 1] = h;
    }
    this.table = table;
  }
}

function grow32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/**
 * One document as distinct token ids with their counts, in first-occurrence order (what
 * `BagOfWords.transformOne` returns, without the `Map`). Buffers are reused between documents.
 * @internal
 */
export class EncodedDoc {
  ids: Int32Array = new Int32Array(64);
  counts = new Float64Array(64);
  n = 0;
  private stamp: Int32Array = new Int32Array(1024);
  private pos: Int32Array = new Int32Array(1024);
  private generation = 0;

  private begin(): void {
    this.n = 0;
    this.generation = (this.generation + 1) | 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Encodes the tokens of already-normalised text with the vocabulary: the scanner of
   * `scanTokens` (Python's `(?u)\b\w[\w\-]+\b`) with the FNV hash of each token computed on the way.
   */
  encode(text: string, vocab: Vocabulary): void {
    // The scanner of `scanTokens` is written out again here, hashing as it goes, on purpose: this
    // loop is the learning hot path (bench:learn), where `scanTokens` would add a callback per token.
    // jscpd:ignore-start
    this.begin();
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
        c = text.codePointAt(i) as number;
        size = c > 0xffff ? 2 : 1;
        if (!isWord(c)) {
          i += size;
          continue;
        }
      }
      const start = i;
      let h = FNV_OFFSET;
      for (let k = 0; k < size; k++) h = Math.imul(h ^ text.charCodeAt(i + k), FNV_PRIME);
      i += size;
      let hEnd = h;
      let end = i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c < 128) {
          if (WORD[c] === 1) {
            h = Math.imul(h ^ c, FNV_PRIME);
            hEnd = h;
            end = ++i;
          } else if (c === 45) {
            h = Math.imul(h ^ 45, FNV_PRIME);
            i++;
          } else break;
        } else {
          const cp = text.codePointAt(i) as number;
          if (!isWord(cp)) break;
          h = Math.imul(h ^ c, FNV_PRIME);
          if (cp > 0xffff) h = Math.imul(h ^ text.charCodeAt(i + 1), FNV_PRIME);
          i += cp > 0xffff ? 2 : 1;
          hEnd = h;
          end = i;
        }
      }
      // At least two code points (two UTF-16 units are one code point when they form a pair).
      const len = end - start;
      if (len > 2 || (len === 2 && size === 1)) this.add(vocab.internHashed(text, start, end, hEnd));
    }
    // jscpd:ignore-end
  }

  /**
   * Encodes raw text in one pass when it is pure ASCII (then accent stripping is a no-op and
   * lower-casing is folded into hashing), producing exactly what `encode` gives on the normalised
   * text. Returns false at the first non-ASCII character; the caller then normalises the text and
   * uses `encode`, which starts the document afresh (tokens interned on the way stay in the
   * vocabulary, which is only a cache).
   */
  encodeAscii(text: string, vocab: Vocabulary, lowercase: boolean): boolean {
    const n = text.length;
    const fold = lowercase ? FOLD_LOWER : FOLD_NONE;
    this.begin();
    let i = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c > 127) return false;
      if (WORD[c] === 0) {
        i++;
        continue;
      }
      const start = i;
      let h = Math.imul(FNV_OFFSET ^ (fold[c] as number), FNV_PRIME);
      let hEnd = h;
      let end = ++i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c > 127) return false;
        if (WORD[c] === 1) {
          h = Math.imul(h ^ (fold[c] as number), FNV_PRIME);
          hEnd = h;
          end = ++i;
        } else if (c === 45) {
          h = Math.imul(h ^ 45, FNV_PRIME);
          i++;
        } else break;
      }
      if (end - start >= 2) this.add(vocab.internAscii(text, start, end, hEnd, fold));
    }
    return true;
  }

  private add(id: number): void {
    if (id >= this.stamp.length) {
      const size = Math.max(id + 1, this.stamp.length * 2);
      this.stamp = grow32(this.stamp, size);
      this.pos = grow32(this.pos, size);
    }
    if (this.stamp[id] === this.generation) {
      const at = this.pos[id] as number;
      this.counts[at] = (this.counts[at] as number) + 1;
      return;
    }
    this.stamp[id] = this.generation;
    const at = this.n++;
    if (at >= this.ids.length) {
      this.ids = grow32(this.ids, this.ids.length * 2);
      const counts = new Float64Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.pos[id] = at;
    this.ids[at] = id;
    this.counts[at] = 1;
  }
}
