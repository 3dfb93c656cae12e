import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import type { TextInput } from "../types.js";
import { TextProcessor, readConfig } from "./text-processor.js";
import type { VectorizerConfig, VectorizerOptions } from "./text-processor.js";

/**
 * Counts tokens in a text, like River's `feature_extraction.BagOfWords`: strip accents (non-ASCII
 * text only), lower-case, tokenize with Python's `(?u)\b\w[\w\-]+\b` semantics, drop stop words,
 * add n-grams. Stateless: `learnOne` does nothing.
 *
 * @example
 * ```ts
 * const bow = new BagOfWords();
 * bow.transformOne("This document is the second document.");
 * // Map { "this" => 1, "document" => 2, "is" => 1, "the" => 1, "second" => 1 }
 * ```
 */
export class BagOfWords {
  /** @internal */
  protected readonly processor: TextProcessor;

  constructor(options?: VectorizerOptions) {
    this.processor = new TextProcessor(options, "BagOfWords");
  }

  /** @internal Whether `transformOne` depends on nothing but its input (lets a Pipeline reuse it). */
  get isStateless(): boolean {
    return this.processor.pure;
  }

  /** @internal The text processor (used by the Pipeline's token-id fast path). */
  get textProcessor(): TextProcessor {
    return this.processor;
  }

  /** Options in effect (defaults filled in). */
  get options(): Readonly<Required<Pick<VectorizerOptions, "stripAccents" | "lowercase" | "ngramRange">>> &
    VectorizerOptions {
    const p = this.processor;
    return {
      on: p.on,
      stripAccents: p.stripAccents,
      lowercase: p.lowercase,
      preprocessor: p.preprocessor,
      stopWords: p.stopWords,
      tokenizerPattern: p.tokenizerPattern,
      tokenizer: p.tokenizer,
      ngramRange: p.ngramRange,
    };
  }

  /** Does nothing (the transformer is stateless); returns `this`. */
  learnOne(x: TextInput): this {
    this.processor.text(x, "learnOne");
    return this;
  }

  /** Token counts in first-occurrence order (unigrams, then n-grams). */
  transformOne(x: TextInput): Map<string, number> {
    return this.processor.count(x, "transformOne");
  }

  /** The tokens (and n-grams) of a text, in order, before counting. */
  processText(x: TextInput): string[] {
    return [...this.processor.process(x, "processText")];
  }

  /** Saves the configuration. Throws if a custom function was given. */
  toJSON(): Checkpoint<{ config: VectorizerConfig }> {
    return envelope("BagOfWords", { config: this.processor.config() });
  }

  /**
   * Restores a `BagOfWords` saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): BagOfWords {
    return new BagOfWords(readConfig(openState(json, "BagOfWords")));
  }
}

registerCheckpointType("BagOfWords", (c) => BagOfWords.fromJSON(c));
