import { LearnError, LearnTypeError } from "../errors.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import { boolOption, checkOptions, describe } from "../internal/validate.js";
import type { TextInput } from "../types.js";
import { allNgrams, tokenize, tokenizeWithPattern } from "./tokenize.js";
import { stripAccents } from "./unicode.js";

/**
 * Options shared by `BagOfWords` and `TFIDF`, with River's defaults.
 *
 * @example
 * ```ts
 * new BagOfWords({ lowercase: true, stopWords: ["the", "a"], ngramRange: [1, 2] });
 * ```
 */
export interface VectorizerOptions {
  /** Field of a record input that holds the text. When unset, inputs are strings. */
  on?: string | undefined;
  /** Strip accents (NFKD, then drop combining marks) when the text is not pure ASCII. @default true */
  stripAccents?: boolean | undefined;
  /** Lower-case the text. @default true */
  lowercase?: boolean | undefined;
  /** Replaces the `stripAccents` and `lowercase` steps when given. */
  preprocessor?: ((text: string) => string) | undefined;
  /** Tokens to drop (before n-grams are formed). */
  stopWords?: Iterable<string> | undefined;
  /**
   * A custom token pattern (JavaScript semantics; first capture group if any). By default the
   * built-in tokenizer reproduces Python's `(?u)\b\w[\w\-]+\b` exactly.
   */
  tokenizerPattern?: RegExp | undefined;
  /** A custom tokenizer; replaces the pattern. */
  tokenizer?: ((text: string) => string[]) | undefined;
  /** Smallest and largest n-gram size. N-gram names join tokens with one space. @default [1, 1] */
  ngramRange?: readonly [number, number] | undefined;
}

export const VECTORIZER_OPTION_NAMES = [
  "on",
  "stripAccents",
  "lowercase",
  "preprocessor",
  "stopWords",
  "tokenizerPattern",
  "tokenizer",
  "ngramRange",
] as const;

/** The serialisable part of the options. */
export interface VectorizerConfig {
  on: string | null;
  stripAccents: boolean;
  lowercase: boolean;
  stopWords: string[] | null;
  tokenizerPattern: { source: string; flags: string } | null;
  ngramRange: [number, number];
}

/**
 * The text pipeline of a vectorizer: extract, preprocess, tokenize, drop stop words, n-grams.
 * Internal; `BagOfWords` and `TFIDF` expose it.
 */
export class TextProcessor {
  readonly on: string | undefined;
  readonly stripAccents: boolean;
  readonly lowercase: boolean;
  readonly preprocessor: ((text: string) => string) | undefined;
  readonly stopWords: ReadonlySet<string> | undefined;
  readonly tokenizerPattern: RegExp | undefined;
  readonly tokenizer: ((text: string) => string[]) | undefined;
  readonly ngramRange: readonly [number, number];
  /** True when the output depends on the input only through built-in, pure steps. */
  readonly pure: boolean;
  private readonly where: string;
  private readonly scratch: string[] = [];

  constructor(options: unknown, where: string, extraKnown: readonly string[] = []) {
    const opts = checkOptions(options, where, [...VECTORIZER_OPTION_NAMES, ...extraKnown]);
    this.where = where;
    const on = opts["on"];
    if (on !== undefined && on !== null && typeof on !== "string") {
      throw new LearnTypeError(`Option "on" of ${where} must be a field name (string); got ${describe(on)}.`);
    }
    this.on = typeof on === "string" ? on : undefined;
    this.stripAccents = boolOption(opts, "stripAccents", where, true);
    this.lowercase = boolOption(opts, "lowercase", where, true);
    this.preprocessor = fnOption(opts, "preprocessor", where) as ((text: string) => string) | undefined;
    this.tokenizer = fnOption(opts, "tokenizer", where) as ((text: string) => string[]) | undefined;
    const pattern = opts["tokenizerPattern"];
    if (pattern !== undefined && !(pattern instanceof RegExp)) {
      throw new LearnTypeError(
        `Option "tokenizerPattern" of ${where} must be a RegExp; got ${describe(pattern)}.`,
      );
    }
    this.tokenizerPattern = pattern;
    const stop = opts["stopWords"];
    if (stop !== undefined && stop !== null) {
      if (typeof stop === "string" || typeof (stop as Iterable<unknown>)[Symbol.iterator] !== "function") {
        throw new LearnTypeError(
          `Option "stopWords" of ${where} must be an iterable of strings; got ${describe(stop)}.`,
        );
      }
      const set = new Set<string>();
      for (const w of stop as Iterable<unknown>) {
        if (typeof w !== "string") {
          throw new LearnTypeError(
            `Option "stopWords" of ${where} must contain strings; got ${describe(w)}.`,
          );
        }
        set.add(w);
      }
      this.stopWords = set.size > 0 ? set : undefined;
    }
    const range = opts["ngramRange"] ?? [1, 1];
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((v) => Number.isInteger(v) && (v as number) >= 0) ||
      (range[0] as number) > (range[1] as number) ||
      (range[1] as number) < 1
    ) {
      throw new LearnTypeError(
        `Option "ngramRange" of ${where} must be [min, max] with integers 0 ≤ min ≤ max, max ≥ 1; got ${describe(range)}.`,
      );
    }
    this.ngramRange = [range[0] as number, range[1] as number];
    this.pure = this.preprocessor === undefined && this.tokenizer === undefined;
  }

  /** Reads the text from the input (a string, or `x[on]`). */
  text(x: TextInput, method: string): string {
    if (this.on === undefined) {
      if (typeof x !== "string") {
        throw new LearnTypeError(
          `Argument "x" of ${this.where}.${method} must be a string; got ${describe(x)}.` +
            (typeof x === "object" && x !== null ? ' To read a field of a record, set the "on" option.' : ""),
        );
      }
      return x;
    }
    if (typeof x !== "object" || x === null) {
      throw new LearnTypeError(
        `Argument "x" of ${this.where}.${method} must be a record with a string field "${this.on}"; got ${describe(x)}.`,
      );
    }
    const v = (x as Record<string, unknown>)[this.on];
    if (typeof v !== "string") {
      throw new LearnTypeError(
        `Field "${this.on}" of argument "x" of ${this.where}.${method} must be a string; got ${describe(v)}.`,
      );
    }
    return v;
  }

  /** Whether the default tokenizer alone produces the features (no stop words, no n-grams). */
  get plainTokens(): boolean {
    return (
      this.pure &&
      this.tokenizerPattern === undefined &&
      this.stopWords === undefined &&
      this.ngramRange[1] <= 1
    );
  }

  /** Extracts and normalises the text (accents, case), before tokenization. */
  normalized(x: TextInput, method: string): string {
    let t = this.text(x, method);
    if (this.stripAccents) t = stripAccents(t);
    if (this.lowercase) t = t.toLowerCase();
    return t;
  }

  /** Extracts, preprocesses and tokenizes; returns the features in order (tokens, then n-grams). */
  process(x: TextInput, method: string): string[] {
    let t = this.text(x, method);
    if (this.preprocessor !== undefined) {
      t = this.preprocessor(t);
      if (typeof t !== "string") {
        throw new LearnTypeError(
          `The preprocessor of ${this.where} must return a string; got ${describe(t)}.`,
        );
      }
    } else {
      if (this.stripAccents) t = stripAccents(t);
      if (this.lowercase) t = t.toLowerCase();
    }
    const scratch = this.scratch;
    scratch.length = 0;
    let tokens: string[];
    if (this.tokenizer !== undefined) {
      tokens = this.tokenizer(t);
      if (!Array.isArray(tokens)) {
        throw new LearnTypeError(
          `The tokenizer of ${this.where} must return an array of strings; got ${describe(tokens)}.`,
        );
      }
    } else if (this.tokenizerPattern !== undefined) {
      tokens = tokenizeWithPattern(t, this.tokenizerPattern, scratch);
    } else {
      tokens = tokenize(t, scratch);
    }
    if (this.stopWords !== undefined) {
      const stop = this.stopWords;
      tokens = tokens.filter((w) => !stop.has(w));
    }
    const [min, max] = this.ngramRange;
    if (max > 1) return allNgrams(tokens, min, max);
    return tokens;
  }

  /** Counts the processed features into a new `Map`, in first-occurrence order. */
  count(x: TextInput, method: string): Map<string, number> {
    const tokens = this.process(x, method);
    const counts = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as string;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return counts;
  }

  config(): VectorizerConfig {
    if (!this.pure) {
      throw new LearnError(
        `${this.where} uses a custom preprocessor or tokenizer function, which cannot be saved in a checkpoint. ` +
          "Recreate it in code and pass the functions again.",
        "ERR_LEARN_NOT_SERIALIZABLE",
      );
    }
    return {
      on: this.on ?? null,
      stripAccents: this.stripAccents,
      lowercase: this.lowercase,
      stopWords: this.stopWords === undefined ? null : [...this.stopWords],
      tokenizerPattern:
        this.tokenizerPattern === undefined
          ? null
          : { source: this.tokenizerPattern.source, flags: this.tokenizerPattern.flags },
      ngramRange: [this.ngramRange[0], this.ngramRange[1]],
    };
  }
}

/**
 * Reads a saved config (at `state.config`) back into options, validating every field: a damaged
 * checkpoint throws a `LearnError` naming the path of the bad field.
 */
export function readConfig(state: StateNode): VectorizerOptions {
  const c = state.node("config");
  let tokenizerPattern: RegExp | undefined;
  if (!c.isNull("tokenizerPattern")) {
    const p = c.node("tokenizerPattern");
    const source = p.string("source");
    const flags = p.string("flags");
    try {
      tokenizerPattern = new RegExp(source, flags);
    } catch (e) {
      p.fail(
        "",
        "a valid regular expression",
        undefined,
        "",
        `/${source}/${flags} (${(e as Error).message})`,
      );
    }
  }
  const range = c.numbers("ngramRange", 2, { integer: true, min: 0 });
  const [lo, hi] = range as [number, number];
  if (lo > hi || hi < 1) {
    c.fail(".ngramRange", "[min, max] with 0 ≤ min ≤ max, max ≥ 1", range, "", JSON.stringify(range));
  }
  return {
    on: c.isNull("on") ? undefined : c.string("on"),
    stripAccents: c.boolean("stripAccents"),
    lowercase: c.boolean("lowercase"),
    stopWords: c.isNull("stopWords") ? undefined : c.strings("stopWords"),
    tokenizerPattern,
    ngramRange: [lo, hi],
  };
}

function fnOption(
  opts: Record<string, unknown>,
  key: string,
  where: string,
): ((...args: never[]) => unknown) | undefined {
  const v = opts[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "function") {
    throw new LearnTypeError(`Option "${key}" of ${where} must be a function; got ${describe(v)}.`);
  }
  return v as (...args: never[]) => unknown;
}
