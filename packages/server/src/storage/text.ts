/**
 * PostgreSQL text cannot hold NUL characters: every backend stores U+FFFD in their place, so a log
 * line with binary junk is stored the same way on SQLite and PostgreSQL instead of failing a batch.
 * @example withoutNul("a\u0000b"); // "a\ufffdb"
 */
export function withoutNul(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text;
}
