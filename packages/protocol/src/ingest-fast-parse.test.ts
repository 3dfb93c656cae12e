import { randomUUID } from "node:crypto";

import { describe, expect, it } from "vitest";

import { ingestBatchSchema } from "./ingest.js";
import { fastParseIngestBatch } from "./ingest-fast-parse.js";

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const runId = randomUUID();
const validLog = {
  runId,
  seq: 3,
  level: "info",
  message: "hello",
  fields: { a: 1 },
  timestamp: "2026-01-31T12:00:00.000Z",
  taskRunId: randomUUID(),
};
const validMetric = {
  runId,
  seq: 4,
  name: "precision",
  value: 0.5,
  step: 2,
  timestamp: "2026-01-31T12:00:00+02:00",
};
const POISON: unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  "",
  "x",
  "WARNING",
  "Warn",
  "fatal",
  "constructor",
  "toString",
  "verbose",
  "2026-13-01T00:00:00Z",
  "2026-02-29T00:00:00Z",
  "2024-02-29T00:00:00Z",
  "2026-01-01T00:00:00",
  "2026-01-01 00:00:00Z",
  "x".repeat(100_001),
  "a b",
  "a/b:c.d-e_f",
  [],
  {},
  [1],
  { a: 1 },
  "00000000-0000-0000-0000-000000000000",
  "0B6F3C1E-5D7A-4A7E-9C1B-2F3E4D5A6B7C",
  "0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7",
];

describe("the fast ingest parser", () => {
  it("returns exactly what the zod schema returns, or leaves the batch to zod", () => {
    const random = prng(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let fastAccepted = 0;
    for (let i = 0; i < 5000; i++) {
      const log: Record<string, unknown> = { ...validLog };
      const metric: Record<string, unknown> = { ...validMetric };
      const target = random() < 0.5 ? log : metric;
      const key = pick([...Object.keys(target), "extra"]);
      if (random() < 0.8) target[key] = pick(POISON);
      else delete target[key];
      const batch: Record<string, unknown> =
        random() < 0.5 ? { logs: [validLog, log] } : { metrics: [metric] };
      if (random() < 0.1) batch.heartbeats = [pick(POISON)];
      const input: unknown = random() < 0.03 ? pick(POISON) : batch;
      const fast = fastParseIngestBatch(input);
      const slow = ingestBatchSchema.safeParse(input);
      if (fast !== undefined) {
        fastAccepted++;
        expect(slow.success, JSON.stringify(input).slice(0, 300)).toBe(true);
        expect(fast).toEqual(slow.data);
      }
    }
    expect(fastAccepted).toBeGreaterThan(500);
  });

  it("accepts a normal batch and normalises its levels like the schema", () => {
    const batch = { logs: [{ ...validLog, level: "WARNING" }], metrics: [validMetric], heartbeats: [runId] };
    expect(fastParseIngestBatch(batch)).toEqual(ingestBatchSchema.parse(batch));
    expect(fastParseIngestBatch(batch)?.logs?.[0]?.level).toBe("warning");
  });
});
