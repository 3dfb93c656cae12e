/** An API call failed; `code` is the server's `WEIR_…` code when it sent one. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: string;
  readonly status: number;
  /** The server's `error.details`, e.g. which field of a form was refused. */
  readonly details: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = options?.details;
  }
}
