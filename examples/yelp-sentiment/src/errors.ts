/** Stable codes of the errors the sentiment application throws. */
export type YelpErrorCode =
  "WEIR_YELP_FILE" | "WEIR_YELP_COLUMN" | "WEIR_YELP_OPTION" | "WEIR_YELP_CHECKPOINT" | "WEIR_YELP_SERVER";

/**
 * Every error this package throws: a `name`, a stable `code`, and the `cause` when there is one.
 *
 * @example
 * try { await publishReviews(opts); } catch (e) { if (e instanceof YelpExampleError) console.error(e.code); }
 */
export class YelpExampleError extends Error {
  override readonly name = "YelpExampleError";
  readonly code: YelpErrorCode;

  constructor(code: YelpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
