import { describe, expect, it } from "vitest";

import { alignLines, lineStats } from "./metric-lines.js";

const at = (ms: number): string => new Date(Date.parse("2026-12-04T12:00:00.000Z") + ms).toISOString();
const T = Date.parse("2026-12-04T12:00:00.000Z") / 1000;

describe("alignLines", () => {
  it("puts runs logged at different steps on one x axis, with gaps where a run has no point", () => {
    const data = alignLines(
      [
        { label: "a", points: [0, 1, 2].map((step) => ({ step, value: step * 10, timestamp: at(step) })) },
        { label: "b", points: [1, 3].map((step) => ({ step, value: -step, timestamp: at(step) })) },
      ],
      "step",
    );
    expect(data).toEqual([
      [0, 1, 2, 3],
      [0, 10, 20, null],
      [null, -1, null, -3],
    ]);
  });

  it("counts the elapsed axis from each line's origin, so that runs started apart start together", () => {
    const late = 600_000;
    const data = alignLines(
      [
        { label: "early", origin: Date.parse(at(0)), points: [{ step: 0, value: 1, timestamp: at(0) }] },
        { label: "late", origin: Date.parse(at(late)), points: [{ step: 0, value: 2, timestamp: at(late) }] },
      ],
      "elapsed",
    );
    expect(data).toEqual([[0], [1], [2]]);
    expect(
      alignLines([{ label: "t", points: [{ step: null, value: 5, timestamp: at(2000) }] }], "time"),
    ).toEqual([[T + 2], [5]]);
  });
});

describe("lineStats", () => {
  it("gives the min, max and last finite value, or nothing for a line without one", () => {
    const points = [3, 9, Number.NaN, 1, 4].map((value, step) => ({ step, value, timestamp: at(step) }));
    expect(lineStats({ label: "x", points })).toEqual({ min: 1, max: 9, last: 4 });
    expect(lineStats({ label: "x", points: [] })).toBeUndefined();
  });
});
