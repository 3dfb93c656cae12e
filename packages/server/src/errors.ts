import type { ErrorCode } from "@weir/protocol";

/**
 * An error that becomes an HTTP answer `{ error: { code, message } }` with its status.
 * @example throw new WeirHttpError(404, "WEIR_RUN_NOT_FOUND", `Run ${id} does not exist.`);
 */
export class WeirHttpError extends Error {
  override readonly name = "WeirHttpError";
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options);
    this.details = options?.details;
  }
  readonly details: unknown;
}

/**
 * A server configuration or start-up problem (bad `db` URL, unusable data directory, port in use).
 * @example throw new WeirServerError("WEIR_BAD_DB_URL", "…");
 */
export class WeirServerError extends Error {
  override readonly name = "WeirServerError";
  constructor(
    readonly code: "WEIR_BAD_DB_URL" | "WEIR_BAD_OPTION" | "WEIR_START_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A run that does not exist. */
export function runNotFound(id: string): WeirHttpError {
  return new WeirHttpError(
    404,
    "WEIR_RUN_NOT_FOUND",
    `Run ${id} does not exist. Create it with POST /api/runs first (or check the id).`,
  );
}
