/** A labelled review read from a data file: what the publisher sends to `river_pipeline`. */
export interface Review {
  /** 1-based physical line number in the source file (the header is line 1). */
  readonly line: number;
  readonly text: string;
  /** One of the configured classes (by default 1 = positive, 0 = negative). */
  readonly sentiment: number;
  /**
   * Present (`true`) when the line held bytes that are not valid UTF-8 and was read with U+FFFD in
   * their place (only with `allowReplacement`).
   */
  readonly replacement?: true;
}

/** A row that cannot be published, with where it is and why. */
export interface MalformedRow {
  /** 1-based physical line number in the source file. */
  readonly line: number;
  /** What is wrong with it, for a person to fix the file. */
  readonly reason: string;
  /** The line as it appears in the file (cut to 200 characters). */
  readonly raw: string;
}

/** What the reader yields for each non-blank line after the header. */
export type ReviewRecord =
  ({ readonly kind: "review" } & Review) | ({ readonly kind: "malformed" } & MalformedRow);
