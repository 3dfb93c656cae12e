/**
 * Makes user values (parameters, log fields, artifact data) safe to put on the wire: a JSON round trip
 * with Errors, bigints and Maps/Sets turned into plain data, and cycles or other failures replaced by a
 * string, so that one odd value can never break a batch. Internal.
 */
export function toJsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    const text = JSON.stringify(value, replacer);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch (error) {
    return `[unserializable: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

/**
 * Like {@link toJsonSafe}, always giving a record (non-objects become `{ value }`). Beyond `maxChars` of
 * JSON the value is replaced by a preview, so that one huge value cannot get a whole request refused.
 */
export function toJsonRecord(value: unknown, maxChars = 256 * 1024): Record<string, unknown> | undefined {
  let safe = toJsonSafe(value);
  if (safe === undefined) return undefined;
  const text = JSON.stringify(safe);
  if (text.length > maxChars) {
    safe = { truncated: true, chars: text.length, preview: `${text.slice(0, 1000)}…` };
  }
  if (safe !== null && typeof safe === "object" && !Array.isArray(safe))
    return safe as Record<string, unknown>;
  return { value: safe };
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
