import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Spool } from "./spool.js";
import { tempDir } from "../test/harness.js";
import type { OutboxRecord } from "./wire.js";

const tmp = tempDir("weir-spool-");
afterAll(() => tmp.remove());

const log = (seq: number): OutboxRecord => ({
  t: "log",
  log: { runId: "r", seq, level: "info", message: `m${seq}`, timestamp: "2026-01-01T00:00:00.000Z" },
});

describe("the disk spool", () => {
  it("keeps records in order across segments and forgets removed ones", () => {
    const spool = new Spool(path.join(tmp.dir, "a"), { maxBytes: 1e9, segmentBytes: 500 });
    for (let seq = 1; seq <= 30; seq++) {
      spool.append(JSON.stringify(log(seq)));
      spool.writeBuffered();
    }
    spool.seal();
    const segments = spool.sealedSegments();
    expect(segments.length).toBeGreaterThan(1);
    const seqs = segments
      .flatMap((file) => spool.readSegment(file))
      .map((r) => (r.t === "log" ? r.log.seq : -1));
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const file of segments) spool.removeSegment(file);
    expect(spool.isEmpty).toBe(true);
    spool.close();
    expect(readdirSync(path.join(tmp.dir, "a"))).toEqual([]);
  });

  it("adopts the spool of a dead process and skips a torn last line", () => {
    const root = path.join(tmp.dir, "b");
    const orphan = path.join(root, "p999999999-dead");
    mkdirSync(orphan, { recursive: true });
    writeFileSync(
      path.join(orphan, "00000001.jsonl"),
      `${JSON.stringify(log(1))}\n${JSON.stringify(log(2))}\n{"t":"lo`,
    );
    const spool = new Spool(root, { maxBytes: 1e9, segmentBytes: 1e6 });
    expect(spool.adoptOrphans()).toBe(1);
    expect(spool.isEmpty).toBe(false);
    const [segment] = spool.sealedSegments();
    expect(spool.readSegment(segment ?? "").map((r) => (r.t === "log" ? r.log.seq : -1))).toEqual([1, 2]);
  });

  it("reports whether a line fits under the bound", () => {
    const spool = new Spool(path.join(tmp.dir, "c"), { maxBytes: 100, segmentBytes: 1e6 });
    expect(spool.fits("x".repeat(50))).toBe(true);
    spool.append("x".repeat(50));
    expect(spool.fits("x".repeat(50))).toBe(false);
  });
});
