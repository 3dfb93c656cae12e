import { z } from "zod";

/** A UUID-shaped id (8-4-4-4-12 hex digits; any version). */
export const idSchema = z.guid({ error: "must be a UUID like 0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c" });

/** An ISO-8601 date-time with a `Z` or an offset, e.g. `2026-01-31T12:00:00.000Z`. */
export const timestampSchema = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" });

/** A JSON object of arbitrary values (parameters, structured log fields). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

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
