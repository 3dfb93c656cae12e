import { describe, expect, it } from "vitest";
import { ADWIN, PageHinkley, restore } from "../index.js";
import { DELETE, WHAT_TO_DO, damaged, restoreError } from "../../test/support/damaged-checkpoint.js";

/**
 * 40 values with at most 2 buckets of each size: rows hold 2, 1, 1, 2 and 1 buckets of sizes 1, 2,
 * 4, 8 and 16 (width 40).
 */
function adwin(): ADWIN {
  const a = new ADWIN({ maxBuckets: 2 });
  for (let i = 0; i < 40; i++) a.update(((i * 7919) % 13) / 13);
  return a;
}

function pageHinkley(): PageHinkley {
  const p = new PageHinkley();
  for (let i = 0; i < 10; i++) p.update(i % 3);
  return p;
}

const fromAdwin = (j: unknown): unknown => ADWIN.fromJSON(j);
const fromPageHinkley = (j: unknown): unknown => PageHinkley.fromJSON(j);

describe("restoring a damaged drift detector checkpoint fails with the path of the bad field", () => {
  it("ADWIN: a missing flag, a short bucket row, a null total in a bucket, impossible options and counts", () => {
    const a = adwin();
    expect(restoreError(fromAdwin, damaged(a, ["state", "detected"], DELETE))).toBe(
      "Damaged ADWIN checkpoint: state.detected: expected a boolean, got nothing (the field is missing)." +
        WHAT_TO_DO,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "rows", 1], [1, [0, 0, 0]]))).toBe(
      "Damaged ADWIN checkpoint: state.helper.rows[1]: expected an array of 3, got an array of 2." +
        WHAT_TO_DO,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "rows", 3, 1, 0], null))).toMatch(
      /state\.helper\.rows\[3\]\[1\]\[0\]: expected a finite number, got null\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "rows", 0, 1], [1, 2]))).toMatch(
      /state\.helper\.rows\[0\]\[1\]: expected an array of 3, got an array of 2\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "rows", 0, 0], 3))).toMatch(
      /state\.helper\.rows\[0\]\[0\]: expected an integer between 0 and 2, got number 3\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "tick"], -1))).toMatch(
      /state\.helper\.tick: expected an integer ≥ 0, got number -1\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "delta"], 0))).toMatch(
      /state\.helper\.delta: expected a finite number > 0, got number 0\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "clock"], "32"))).toMatch(
      /state\.helper\.clock: expected an integer ≥ 1, got string "32"\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper"], DELETE))).toMatch(
      /state\.helper: expected an object, got nothing/,
    );
  });

  it("ADWIN: a width or a total that the buckets do not hold, and no buckets at all", () => {
    const a = adwin();
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "width"], 41))).toBe(
      "Damaged ADWIN checkpoint: state.helper.width: expected 40 (the values in state.helper.rows), got number 41." +
        WHAT_TO_DO,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "total"], 19))).toMatch(
      /state\.helper\.total: expected 18 \(the sum of state\.helper\.rows\), got number 19\./,
    );
    expect(restoreError(fromAdwin, damaged(a, ["state", "helper", "rows"], []))).toMatch(
      /state\.helper\.rows: expected at least one row of buckets, got none\./,
    );
  });

  it("PageHinkley: a string count, a negative count, a null mean, an unknown mode, extremes beyond the sums", () => {
    const p = pageHinkley();
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "n"], "10"))).toBe(
      'Damaged PageHinkley checkpoint: state.n: expected an integer ≥ 0, got string "10".' + WHAT_TO_DO,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "n"], -1))).toMatch(
      /state\.n: expected an integer ≥ 0, got number -1\./,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "mean"], null))).toMatch(
      /state\.mean: expected a finite number, got null\./,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "mode"], "sideways"))).toMatch(
      /state\.mode: expected "up", "down" or "both", got string "sideways"\./,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "threshold"], DELETE))).toMatch(
      /state\.threshold: expected a number, got nothing/,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "minInstances"], -5))).toMatch(
      /state\.minInstances: expected a number ≥ 0, got number -5\./,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "minIncrease"], 5))).toMatch(
      /state\.minIncrease: expected a number ≤ state\.sumIncrease \(1\.26\d*\), got number 5\./,
    );
    expect(restoreError(fromPageHinkley, damaged(p, ["state", "maxDecrease"], 0))).toMatch(
      /state\.maxDecrease: expected a number ≥ state\.sumDecrease \(1\.36\d*\), got number 0\./,
    );
  });
});

describe("valid drift detector checkpoints still restore exactly", () => {
  it("continues ADWIN on fractional values identically after restores, whatever the rounding of its sums", () => {
    const a = new ADWIN({ clock: 4 });
    let b = new ADWIN({ clock: 4 });
    for (let i = 0; i < 4000; i++) {
      const x = i < 2000 ? Math.sin(i) * 1e3 + 0.1 : Math.cos(i) * 1e-3 + 7.7;
      if (i % 250 === 0) {
        const saved = JSON.parse(JSON.stringify(b)) as unknown;
        b = ADWIN.fromJSON(saved);
        expect(JSON.stringify(restore(saved))).toBe(JSON.stringify(a));
      }
      a.update(x);
      b.update(x);
      expect([b.driftDetected, b.width, b.total, b.variance]).toEqual([
        a.driftDetected,
        a.width,
        a.total,
        a.variance,
      ]);
    }
  });

  it("restores a fresh PageHinkley and one with infinite options, which JSON cannot write as numbers", () => {
    for (const p of [new PageHinkley(), new PageHinkley({ threshold: Infinity, minInstances: Infinity })]) {
      for (let i = 0; i < 5 && p.threshold === Infinity; i++) p.update(i);
      const again = PageHinkley.fromJSON(JSON.parse(JSON.stringify(p)));
      expect(JSON.stringify(again)).toBe(JSON.stringify(p));
      expect([again.threshold, again.minInstances]).toEqual([p.threshold, p.minInstances]);
    }
    const p = pageHinkley();
    expect(JSON.stringify(restore(JSON.parse(JSON.stringify(p))))).toBe(JSON.stringify(p));
  });
});
