import { describe, expect, it } from "vitest";

import { slotSource } from "./schedules.js";

const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());
const berlin = (cron: string) => slotSource({ cron, timezone: "Europe/Berlin" });

// 2026 in Europe/Berlin: clocks go from 02:00 CET to 03:00 CEST on 29 March (01:00 UTC), and from
// 03:00 CEST back to 02:00 CET on 25 October (01:00 UTC).
describe("cron slots across DST in Europe/Berlin", () => {
  it("runs a fixed time in the skipped hour once, right after the gap (March, 5 fields)", () => {
    const slots = berlin("30 2 * * *").after(Date.parse("2026-03-27T12:00:00Z"), 3);
    expect(iso(slots)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST, the first instant after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("runs a fixed time in the repeated hour once, at its first occurrence (October, 6 fields)", () => {
    const slots = berlin("0 30 2 * * *").after(Date.parse("2026-10-24T12:00:00Z"), 2);
    expect(iso(slots)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; 02:30 CET an hour later is not a second run
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
  });

  it("keeps an interval job's real-time cadence: no run lost or doubled in March, both passes in October", () => {
    const march = berlin("*/30 * * * *").after(Date.parse("2026-03-29T00:00:00Z"), 4);
    expect(iso(march)).toEqual([
      "2026-03-29T00:30:00.000Z", // 01:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST
      "2026-03-29T01:30:00.000Z",
      "2026-03-29T02:00:00.000Z",
    ]);
    const october = berlin("0 */30 * * * *").after(Date.parse("2026-10-24T23:45:00Z"), 5);
    expect(iso(october)).toEqual([
      "2026-10-25T00:00:00.000Z", // 02:00 CEST
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET, the hour again
      "2026-10-25T01:30:00.000Z", // 02:30 CET
      "2026-10-25T02:00:00.000Z", // 03:00 CET
    ]);
  });

  it("keeps wall-clock time for daily jobs on the days around the changes", () => {
    const slots = berlin("0 9 * * *").after(Date.parse("2026-03-28T00:00:00Z"), 2);
    expect(iso(slots)).toEqual(["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z"]);
    const autumn = berlin("0 0 9 * * *").after(Date.parse("2026-10-24T00:00:00Z"), 2);
    expect(iso(autumn)).toEqual(["2026-10-24T07:00:00.000Z", "2026-10-25T08:00:00.000Z"]);
  });

  it("describes schedules in words and counts interval slots from a shared anchor", () => {
    expect(berlin("*/5 * * * *").description).toBe("Every 5 minutes (Europe/Berlin)");
    expect(slotSource({ cron: "* * * * * *" }).description).toBe("Every second (UTC)");
    const every = slotSource({ intervalMs: 90_000, anchor: "2026-01-01T00:00:00Z" });
    expect(every.description).toBe("Every 90 seconds");
    expect(iso(every.after(Date.parse("2026-01-01T00:01:00Z"), 2))).toEqual([
      "2026-01-01T00:01:30.000Z",
      "2026-01-01T00:03:00.000Z",
    ]);
    // Two replicas computing at different moments agree on the slots.
    const a = slotSource({ intervalMs: 60_000 }).after(Date.parse("2026-05-01T10:00:17Z"), 1);
    const b = slotSource({ intervalMs: 60_000 }).after(Date.parse("2026-05-01T10:00:42Z"), 1);
    expect(a).toEqual(b);
  });

  it("refuses 4 or 7 fields, bad values and unknown zones with a 400 that says what to use", () => {
    expect(() => slotSource({ cron: "* * * *" })).toThrow(/use 5 .* or 6/);
    expect(() => slotSource({ cron: "0 0 0 * * * 2027" })).toThrow(/7 fields/);
    expect(() => slotSource({ cron: "* 25 * * *" })).toThrow(/not a cron expression/);
    expect(() => slotSource({ cron: "* * * * *", timezone: "Europe/Nowhere" })).toThrow(/IANA name/);
  });
});
