/**
 * Every error `@weir/learn` throws. Bad arguments are `TypeError`s (so `instanceof TypeError`
 * holds) that name the argument and what was expected; checkpoint problems are `LearnError`s.
 */

/** Stable machine-readable codes carried by every error of this package. */
export type LearnErrorCode =
  | "ERR_LEARN_INVALID_ARGUMENT"
  | "ERR_LEARN_UNKNOWN_OPTION"
  | "ERR_LEARN_CHECKPOINT"
  | "ERR_LEARN_NOT_SERIALIZABLE"
  | "ERR_LEARN_INCOMPATIBLE"
  | "ERR_LEARN_UNSUPPORTED"
  /** A probability that cannot be computed: `log(0)` or a division by zero (River raises there). */
  | "ERR_LEARN_MATH_DOMAIN";

/**
 * A wrong argument or option: wrong type, `NaN`, missing label, unknown option name.
 *
 * @example
 * ```ts
 * try { model.learnOne("text", undefined as never); }
 * catch (e) { if (e instanceof LearnTypeError) console.error(e.code, e.message); }
 * ```
 */
export class LearnTypeError extends TypeError {
  override readonly name = "LearnTypeError";
  readonly code: LearnErrorCode;

  constructor(
    message: string,
    code: LearnErrorCode = "ERR_LEARN_INVALID_ARGUMENT",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A problem that is not a bad argument: a checkpoint that cannot be read, two models that cannot be
 * merged, an object that cannot be serialised, a probability that is undefined (`alpha = 0` and a
 * feature a class never saw).
 *
 * @example
 * ```ts
 * try { MultinomialNB.fromJSON(saved); }
 * catch (e) { if (e instanceof LearnError && e.code === "ERR_LEARN_CHECKPOINT") restart(); }
 * ```
 */
export class LearnError extends Error {
  override readonly name = "LearnError";
  readonly code: LearnErrorCode;

  constructor(message: string, code: LearnErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
