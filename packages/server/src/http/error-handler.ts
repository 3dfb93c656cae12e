import type { ErrorCode } from "@weir/protocol";
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";

import { WeirHttpError } from "../errors.js";

function body(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const FASTIFY_CODES: Readonly<Record<string, [number, ErrorCode, string]>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "WEIR_INVALID_JSON", "The body is not valid JSON."],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    400,
    "WEIR_VALIDATION",
    "The body is empty but Content-Type is application/json; send a JSON object.",
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [
    413,
    "WEIR_BODY_TOO_LARGE",
    "The body is larger than this server accepts; send smaller batches (the ingest client splits them).",
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    "WEIR_UNSUPPORTED_MEDIA_TYPE",
    "Send JSON with Content-Type: application/json.",
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "WEIR_VALIDATION", "Content-Length does not match the body."],
};

/** PostgreSQL data exceptions caused by the input (e.g. a NUL character in text) are 400s. */
function isPgDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * Every error becomes `{ error: { code, message } }`: bad input is a 4xx that says what was wrong,
 * only a fault of the server itself is a 500.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof WeirHttpError)
      return reply.code(error.statusCode).send(body(error.code, error.message, error.details));
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const issues = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, "").replace(/\//g, ".");
        return `${where}${path ? `.${path}` : ""}: ${v.message ?? "is invalid"}`;
      });
      const shown =
        issues.slice(0, 5).join("; ") + (issues.length > 5 ? `; and ${issues.length - 5} more` : "");
      return reply.code(400).send(body("WEIR_VALIDATION", `Invalid request: ${shown}.`));
    }
    const known = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
    if (known !== undefined) return reply.code(known[0]).send(body(known[1], known[2]));
    if (error instanceof SyntaxError)
      return reply.code(400).send(body("WEIR_INVALID_JSON", "The body is not valid JSON."));
    if (isPgDataError(error))
      return reply
        .code(400)
        .send(
          body(
            "WEIR_VALIDATION",
            `The database refused a value: ${error.message}. Remove NUL characters or out-of-range numbers.`,
          ),
        );
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500 && !isResponseSerializationError(error))
      return reply
        .code(status)
        .send(body(status === 404 ? "WEIR_NOT_FOUND" : "WEIR_VALIDATION", error.message));
    request.log.error({ err: error }, "request failed");
    return reply
      .code(500)
      .send(
        body(
          "WEIR_INTERNAL",
          "The server failed to answer; see its log. This is a bug or a database outage.",
        ),
      );
  });
}
