import { LearnTypeError } from "../errors.js";
import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { describe } from "../internal/validate.js";
import type { TextInput } from "../types.js";
import { TextProcessor, readConfig } from "./text-processor.js";
import type { VectorizerConfig, VectorizerOptions } from "./text-processor.js";

/**
 * Options of `TFIDF`: those of `BagOfWords` plus `normalize`.
 *
 * @example
 * ```ts
 * new TFIDF({ normalize: false });
 * ```
 */
export interface TFIDFOptions extends VectorizerOptions {
  /** Divide the vector by its L2 norm. @default true */
  normalize?: boolean | undefined;
}

interface TFIDFState {
  config: VectorizerConfig;
  normalize: boolean;
  n: number;
  dfs: [string, number][];
}

/**
 * TF-IDF with document frequencies learnt online, like River's `feature_extraction.TFIDF`:
 * `tf = count / total`, `idf = ln((1 + n) / (1 + df)) + 1`, then L2 normalisation. `learnOne`
 * updates `n` and the document frequencies; `transformOne` does not.
 *
 * @example
 * ```ts
 * const tfidf = new TFIDF();
 * tfidf.learnOne("This is the first document.");
 * tfidf.transformOne("This is the first document."); // every term ≈ 0.447
 * ```
 */
export class TFIDF {
  /** @internal */
  protected readonly processor: TextProcessor;
  readonly normalize: boolean;
  /** Documents seen by `learnOne`. */
  n = 0;
  /** Document frequency of each term. */
  readonly dfs = new Map<string, number>();

  constructor(options?: TFIDFOptions) {
    this.processor = new TextProcessor(options, "TFIDF", ["normalize"]);
    const normalize = options?.normalize;
    if (normalize !== undefined && typeof normalize !== "boolean") {
      throw new LearnTypeError(`Option "normalize" of TFIDF must be a boolean; got ${describe(normalize)}.`);
    }
    this.normalize = normalize ?? true;
  }

  /** @internal Never stateless: the output depends on learnt document frequencies. */
  get isStateless(): boolean {
    return false;
  }

  /** Counts the document's distinct terms into the document frequencies. */
  learnOne(x: TextInput): this {
    const terms = this.processor.process(x, "learnOne");
    const seen = new Set<string>(terms);
    for (const t of seen) this.dfs.set(t, (this.dfs.get(t) ?? 0) + 1);
    this.n += 1;
    return this;
  }

  /** TF-IDF weights in first-occurrence order. */
  transformOne(x: TextInput): Map<string, number> {
    const counts = this.processor.count(x, "transformOne");
    let nTerms = 0;
    for (const c of counts.values()) nTerms += c;
    const out = new Map<string, number>();
    for (const [term, count] of counts) {
      const tf = count / nTerms;
      const idf = Math.log((1 + this.n) / (1 + (this.dfs.get(term) ?? 0))) + 1;
      out.set(term, tf * idf);
    }
    if (!this.normalize) return out;
    let sq = 0;
    for (const v of out.values()) sq += v * v;
    const norm = Math.sqrt(sq);
    for (const [term, v] of out) out.set(term, v / norm);
    return out;
  }

  /** The tokens (and n-grams) of a text, in order. */
  processText(x: TextInput): string[] {
    return [...this.processor.process(x, "processText")];
  }

  /** Saves configuration, `n` and document frequencies. */
  toJSON(): Checkpoint<TFIDFState> {
    return envelope("TFIDF", {
      config: this.processor.config(),
      normalize: this.normalize,
      n: this.n,
      dfs: [...this.dfs],
    });
  }

  /**
   * Restores a `TFIDF` saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): TFIDF {
    const s = openState(json, "TFIDF");
    const t = new TFIDF({ ...readConfig(s), normalize: s.boolean("normalize") });
    t.n = s.number("n", { integer: true, min: 0 });
    // A term is counted at most once per document: 1 ≤ df ≤ n.
    for (const [k, v] of s.entries("dfs", { integer: true, min: 1, max: t.n })) t.dfs.set(k, v);
    return t;
  }
}

registerCheckpointType("TFIDF", (c) => TFIDF.fromJSON(c));
