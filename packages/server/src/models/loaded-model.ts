import { LearnError, restore } from "@weir/learn";
import type { Label, Proba } from "@weir/learn";
import type { ModelInputType } from "@weir/protocol";

import { WeirHttpError } from "../errors.js";

/** What a served model must do. */
interface Predictor {
  predictOne(x: unknown): Label | undefined;
  predictProbaOne(x: unknown): Proba;
}

/** The longest text input, in characters (its feedback event must fit the event log's 1 MiB). */
export const MAX_TEXT_CHARS = 100_000;
/** The most fields of a features input. */
const MAX_FEATURES = 10_000;

/** One prediction, before it is serialised. */
export interface RawPrediction {
  label: Label | undefined;
  proba: Proba;
}

/**
 * Restores a `@weir/learn` checkpoint into something that predicts. A checkpoint that does not
 * restore, or that holds no classifier, is a 400 with `@weir/learn`'s message.
 */
export function restorePredictor(checkpoint: unknown): {
  predictor: Predictor;
  inferredType: ModelInputType;
} {
  let restored: unknown;
  try {
    restored = restore(checkpoint);
  } catch (error) {
    // Whatever a checkpoint makes restore() throw (LearnError, TypeError, RangeError for absurd
    // sizes) is a fault of the checkpoint.
    if (error instanceof Error)
      throw new WeirHttpError(400, "WEIR_VALIDATION", `The checkpoint does not restore: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
  const r = restored as Partial<Predictor>;
  if (typeof r.predictOne !== "function" || typeof r.predictProbaOne !== "function")
    throw new WeirHttpError(
      400,
      "WEIR_VALIDATION",
      `The checkpoint holds a ${(checkpoint as { type?: unknown }).type as string}, not a model that predicts: publish a classifier or a Pipeline ending in one (model.toJSON()).`,
    );
  return { predictor: r as Predictor, inferredType: inferInputType(checkpoint) };
}

/**
 * A pipeline that starts with a text vectorizer reading the whole input (no `on` field) takes text;
 * anything else takes features. Read from the checkpoint, which states every step's options.
 */
function inferInputType(checkpoint: unknown): ModelInputType {
  const c = checkpoint as { type?: unknown; state?: { steps?: unknown } };
  if (c.type !== "Pipeline" || !Array.isArray(c.state?.steps)) return "features";
  const first = c.state.steps[0] as { type?: unknown; state?: { config?: { on?: unknown } } } | undefined;
  const vectorizer = first?.type === "BagOfWords" || first?.type === "TFIDF";
  return vectorizer && (first?.state?.config?.on ?? null) === null ? "text" : "features";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Why `input` does not suit a model of `type` (" must be …" or ".field must be …"), or undefined when it does. */
function inputProblem(input: unknown, type: ModelInputType): string | undefined {
  if (type === "text") {
    if (typeof input !== "string") return ` must be a text (this model takes text); got ${describe(input)}`;
    if (input.length > MAX_TEXT_CHARS)
      return ` is ${input.length} characters long; a text may have up to ${MAX_TEXT_CHARS}`;
    return undefined;
  }
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return ` must be an object of features { name: number | string } (this model takes features); got ${describe(input)}`;
  let count = 0;
  for (const key in input) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === "number" ? !Number.isFinite(value) : typeof value !== "string")
      return `.${key} must be a finite number or a string; got ${typeof value === "number" ? String(value) : describe(value)}`;
    if (++count > MAX_FEATURES) return ` has more than ${MAX_FEATURES} features`;
  }
  return undefined;
}

/** `"key":` of each class, and the JSON of each label, made once per class. */
class LabelCodec {
  readonly #keys = new Map<Label, string>();
  readonly #values = new Map<Label, string>();

  key(label: Label): string {
    let text = this.#keys.get(label);
    if (text === undefined) {
      text = `${JSON.stringify(String(label))}:`;
      this.#keys.set(label, text);
    }
    return text;
  }

  value(label: Label | undefined): string {
    if (label === undefined) return "null";
    let text = this.#values.get(label);
    if (text === undefined) {
      text = JSON.stringify(label);
      this.#values.set(label, text);
    }
    return text;
  }
}

/**
 * One version of a model restored in memory. Immutable once built (it never learns), so requests
 * share it; a promote builds a new one and swaps the reference.
 */
export class LoadedModel {
  readonly #predictor: Predictor;
  readonly #codec = new LabelCodec();
  /** `{"model":"…","version":n,"predictions":[` */
  readonly #head: string;

  constructor(
    readonly name: string,
    readonly version: number,
    readonly inputType: ModelInputType,
    predictor: Predictor,
  ) {
    this.#predictor = predictor;
    this.#head = `{"model":${JSON.stringify(name)},"version":${version},"predictions":[`;
  }

  /** Checks every input against the model's input type: a 400 naming the first bad one. */
  check(inputs: readonly unknown[], batch: boolean): void {
    for (let i = 0; i < inputs.length; i++) {
      const problem = inputProblem(inputs[i], this.inputType);
      if (problem !== undefined)
        throw new WeirHttpError(
          400,
          "WEIR_VALIDATION",
          `body.${batch ? `inputs[${i}]` : "input"}${problem}.`,
        );
    }
  }

  /** Predicts one checked input (the label as `predictOne` gives it, the probabilities as `predictProbaOne`). */
  predict(input: unknown): RawPrediction {
    try {
      return { label: this.#predictor.predictOne(input), proba: this.#predictor.predictProbaOne(input) };
    } catch (error) {
      if (error instanceof LearnError || error instanceof TypeError)
        throw new WeirHttpError(
          422,
          "WEIR_VALIDATION",
          `The model cannot predict this input: ${error.message}`,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  /** The JSON answer of a predict call, written by hand (no schema walk per request). */
  answer(ids: readonly string[], predictions: readonly RawPrediction[]): string {
    const codec = this.#codec;
    let out = this.#head;
    for (let i = 0; i < predictions.length; i++) {
      const { label, proba } = predictions[i] as RawPrediction;
      out += `${i === 0 ? "" : ","}{"id":"${ids[i] as string}","label":${codec.value(label)},"probabilities":{`;
      let first = true;
      for (const [cls, p] of proba) {
        out += `${first ? "" : ","}${codec.key(cls)}${Number.isFinite(p) ? String(p) : "null"}`;
        first = false;
      }
      out += "}}";
    }
    return `${out}]}`;
  }
}
