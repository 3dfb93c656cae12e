/**
 * Length-prefixed fields of the binary frames (publish and delivery): a little-endian u32 byte
 * length, then the bytes. Shared by the frame writers and readers.
 */

/** Upper bound of the UTF-8 bytes of a string (3 per UTF-16 unit). */
export const maxUtf8Bytes = (text: string): number => text.length * 3;

/** A frame writer's working buffer starts this small and doubles as needed. */
const INITIAL_BYTES = 16 * 1024;

/** Writes `text` as a length-prefixed UTF-8 field at `at` (room was reserved); returns the next position. */
export function writeText(buffer: Buffer, text: string, at: number): number {
  const length = buffer.write(text, at + 4, "utf8");
  buffer.writeUInt32LE(length, at);
  return at + 4 + length;
}

/** Writes `bytes` as a length-prefixed field at `at` (room was reserved); returns the next position. */
export function writeBytes(buffer: Buffer, bytes: Uint8Array, at: number): number {
  buffer.writeUInt32LE(bytes.byteLength, at);
  buffer.set(bytes, at + 4);
  return at + 4 + bytes.byteLength;
}

/** A buffer of at least `needed` bytes holding the first `used` bytes of `buffer`. */
export function grown(buffer: Buffer, used: number, needed: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2, INITIAL_BYTES));
  buffer.copy(next, 0, 0, used);
  return next;
}

/** The end of the field at `at`, or -1 when the frame ends before it does. */
export function fieldEnd(frame: Buffer, at: number): number {
  if (at + 4 > frame.length) return -1;
  const end = at + 4 + frame.readUInt32LE(at);
  return end > frame.length ? -1 : end;
}

/** Flags of the fields both frames carry (each frame adds its own above these). */
export const SAME_MIMETYPE = 1;
export const TYPE_NAME = 2;
export const TYPE_VERSION = 4;
export const METADATA = 8;

/**
 * Writes the fields both frames carry, in this order: id, mimetype (undefined: the previous
 * record's, flagged SAME_MIMETYPE), type name, type version, metadata (each only when given, as
 * the record's flags say). Room was reserved. Returns the next position.
 */
export function writeHeaders(
  buffer: Buffer,
  at: number,
  id: string,
  mimetype: string | undefined,
  typeName: string | undefined,
  typeVersion: number | undefined,
  metadata: string | undefined,
): number {
  at = writeText(buffer, id, at);
  if (mimetype !== undefined) at = writeText(buffer, mimetype, at);
  if (typeName !== undefined) at = writeText(buffer, typeName, at);
  if (typeVersion !== undefined) {
    buffer.writeDoubleLE(typeVersion, at);
    at += 8;
  }
  if (metadata !== undefined) at = writeText(buffer, metadata, at);
  return at;
}
