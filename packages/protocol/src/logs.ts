import { z } from "zod";

import { idSchema, jsonObjectSchema, pageQuerySchema, timestampSchema } from "./common.js";

import { LOG_LEVELS } from "./vocabulary.js";
import type { LogLevel } from "./vocabulary.js";

export { LOG_LEVELS };
export type { LogLevel };

/** Numeric levels (as Python's logging), stored so that `?level=` filters by "at least". */
export const LOG_LEVEL_NUMBERS: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  critical: 50,
};

const LEVEL_ALIASES: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  ["warn", "warning"],
  ["fatal", "critical"],
  ["err", "error"],
]);

/**
 * A log level; case-insensitive on input, `warn`/`fatal` accepted as aliases.
 * @example logLevelSchema.parse("WARNING"); // "warning"
 */
export const logLevelSchema = z.preprocess((value) => {
  if (typeof value !== "string") return value;
  const lower = value.toLowerCase();
  return LEVEL_ALIASES.get(lower) ?? lower;
}, z.enum(LOG_LEVELS));

/**
 * A log line as a client sends it in an ingest batch.
 * @example logInputSchema.parse({ runId, seq: 0, level: "WARNING", message: "Precision is below threshold: 0.5" });
 */
export const logInputSchema = z.object({
  runId: idSchema,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  level: logLevelSchema,
  message: z.string().max(100_000),
  fields: jsonObjectSchema.optional(),
  timestamp: timestampSchema.optional(),
  taskRunId: idSchema.optional(),
});

/** A log line as a client sends it (`timestamp` defaults to the time the server received it). */
export type LogInput = z.input<typeof logInputSchema>;

/**
 * A stored log line.
 * @example const page = pageSchema(logLineSchema).parse(body);
 */
export const logLineSchema = z.object({
  runId: idSchema,
  seq: z.number().int(),
  level: z.enum(LOG_LEVELS),
  levelNo: z.number().int(),
  message: z.string(),
  fields: jsonObjectSchema.nullable(),
  timestamp: z.string(),
  taskRunId: idSchema.nullable(),
});

/** A stored log line. */
export type LogLine = z.infer<typeof logLineSchema>;

/**
 * `GET /api/runs/:id/logs` query.
 * @example logQuerySchema.parse({ level: "warning", order: "desc" });
 */
export const logQuerySchema = pageQuerySchema.extend({
  level: logLevelSchema.optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
  q: z.string().max(200).optional(),
  taskRunId: idSchema.optional(),
});

/** `GET /api/runs/:id/logs` query. */
export type LogQuery = z.input<typeof logQuerySchema>;
