import { z } from "zod";

/** A UUID-shaped id (8-4-4-4-12 hex digits; any version). */
export const idSchema = z.guid({ error: "must be a UUID like 0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c" });

/** An ISO-8601 date-time with a `Z` or an offset, e.g. `2026-01-31T12:00:00.000Z`. */
export const timestampSchema = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" });

/**
 * How deeply objects and arrays may nest in any JSON value the API accepts (parameters, log
 * fields, checkpoint values, table artifacts). Deeper input is refused with a 400 instead of
 * overflowing the stack of whatever walks it later (`JSON.stringify`, the database driver, the UI).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether objects and arrays nest more than `limit` levels in `value` (a scalar is level 0, `{}`
 * level 1). Walks with an explicit stack, so it never overflows itself.
 *
 * @example jsonDepthExceeds({ a: { b: [1] } }, 2); // true: three levels
 */
export function jsonDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== "object" || value === null) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(current)
      ? (current as unknown[])
      : Object.values(current as Record<string, unknown>))
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
  }
  return false;
}

/** The message of a value nested past {@link MAX_JSON_DEPTH}. */
export const TOO_DEEP_MESSAGE = `is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it`;

/**
 * Any JSON value, nested at most {@link MAX_JSON_DEPTH} levels.
 * @example putCheckpointSchema.extend({ value: jsonValueSchema });
 */
export const jsonValueSchema = z.unknown().refine((v) => !jsonDepthExceeds(v), TOO_DEEP_MESSAGE);

/**
 * A JSON object of arbitrary values (parameters, structured log fields), nested at most
 * {@link MAX_JSON_DEPTH} levels.
 */
export const jsonObjectSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => !jsonDepthExceeds(v), TOO_DEEP_MESSAGE);

/** Cursor pagination query: `?limit=` (1–500, default 50) and `?cursor=` from the previous page. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

/**
 * A page of a list. `total` counts matching items up to 10,000; `totalCapped` says the real
 * count is higher (lists never COUNT(*) a huge table).
 * @example const runsPage = pageSchema(runSchema);
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z.number().int(),
    totalCapped: z.boolean(),
  });
}

/** The most items `total` counts before it is capped. */
export const TOTAL_CAP = 10_000;

/** A page of items as returned by every list endpoint. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
  totalCapped: boolean;
}
