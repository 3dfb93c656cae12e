import { randomFillSync } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const pool = Buffer.alloc(8 * 1024);
let poolAt = pool.length;
let lastMs = 0;
let sequence = 0;

function randomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++] as number;
}

/**
 * A new prediction id: a UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, a 12-bit
 * counter within the millisecond (so ids of this process increase strictly) and 62 random bits.
 * Time-ordered ids append to the primary-key index of `model_predictions` instead of landing at
 * random places in it, which keeps writing 100,000s of predictions a second cheap.
 *
 * @example predictionId(); // "0193a5f2-7c41-7000-8b3e-5f0c2a9d1e77"
 */
export function predictionId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs++; // 4,096 ids in one millisecond: borrow the next one
    sequence = 0;
  }
  const ms = lastMs;
  const high = Math.floor(ms / 0x10000); // top 32 bits
  const low = ms % 0x10000; // bottom 16 bits
  const b = HEX;
  return (
    b[(high >>> 24) & 0xff]! +
    b[(high >>> 16) & 0xff]! +
    b[(high >>> 8) & 0xff]! +
    b[high & 0xff]! +
    "-" +
    b[low >>> 8]! +
    b[low & 0xff]! +
    "-" +
    b[0x70 | (sequence >>> 8)]! +
    b[sequence & 0xff]! +
    "-" +
    b[0x80 | (randomByte() & 0x3f)]! +
    b[randomByte()]! +
    "-" +
    b[randomByte()]! +
    b[randomByte()]! +
    b[randomByte()]! +
    b[randomByte()]! +
    b[randomByte()]! +
    b[randomByte()]!
  );
}
