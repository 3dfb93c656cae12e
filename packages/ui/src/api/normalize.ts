/**
 * The items of a list answer: every list of the API is a `{ items, … }` page (a few answer a bare
 * array). Field names are never guessed: the items are the types of `@weir/protocol`.
 */
export function itemsOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  const items = (raw as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}
