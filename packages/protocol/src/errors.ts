import { z } from "zod";

/** The stable error codes of the HTTP API. */
export const ERROR_CODES = [
  "WEIR_VALIDATION",
  "WEIR_INVALID_JSON",
  "WEIR_UNSUPPORTED_MEDIA_TYPE",
  "WEIR_BODY_TOO_LARGE",
  "WEIR_BAD_CURSOR",
  "WEIR_UNAUTHORIZED",
  "WEIR_NOT_FOUND",
  "WEIR_RUN_NOT_FOUND",
  "WEIR_ARTIFACT_NOT_FOUND",
  "WEIR_CHECKPOINT_NOT_FOUND",
  "WEIR_INVALID_TRANSITION",
  "WEIR_TRANSITION_ID_CONFLICT",
  "WEIR_RUN_CONFLICT",
  "WEIR_VERSION_CONFLICT",
  "WEIR_METHOD_NOT_ALLOWED",
  "WEIR_UNAVAILABLE",
  "WEIR_INTERNAL",
] as const;

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The body of every error answer: `{ error: { code, message } }`.
 * @example errorBodySchema.parse(await res.json()).error.code;
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

/** The body of every error answer. */
export type ErrorBody = z.infer<typeof errorBodySchema>;
