import { WeirHttpError } from "../errors.js";

/**
 * Keyset cursors: the sort value and id of the last item of a page, base64url JSON. Opaque to
 * clients, checked on the way in.
 */
export function encodeCursor(value: number | string | null, id: string | number): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}

/** Decodes a cursor made by {@link encodeCursor}; a tampered cursor is a 400. */
export function decodeCursor(cursor: string): [number | null, string | number] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const value: unknown = parsed[0];
      const id: unknown = parsed[1];
      if ((value === null || typeof value === "number") && (typeof id === "string" || typeof id === "number"))
        return [value, id];
    }
  } catch {
    // fall through
  }
  throw new WeirHttpError(
    400,
    "WEIR_BAD_CURSOR",
    "cursor is not one this server made; pass nextCursor from a previous page unchanged.",
  );
}

/** Escapes `%`, `_` and `\` for a LIKE pattern (with ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** ISO string of an epoch-ms time (or null). */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Epoch ms of an ISO string, or the fallback. */
export function epoch(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Date.parse(text);
}
