import { describe, expect, it } from "vitest";

import { OffsetSequencer } from "./offset-sequencer.js";

const at = (offset: number): { offset: number } => ({ offset });
const offsets = (events: { offset: number }[]): number[] => events.map((e) => e.offset);

describe("OffsetSequencer", () => {
  it("hands out in-order deliveries at once", () => {
    const sequencer = new OffsetSequencer(1);
    expect(offsets(sequencer.accept(at(1)).ready)).toEqual([1]);
    expect(offsets(sequencer.accept(at(2)).ready)).toEqual([2]);
    expect(sequencer.expected).toBe(3);
  });

  it("holds events behind a gap and releases them in order when the late one arrives", () => {
    const sequencer = new OffsetSequencer(5);
    expect(sequencer.accept(at(7)).ready).toEqual([]);
    expect(sequencer.accept(at(6)).ready).toEqual([]);
    expect(sequencer.waiting).toBe(2);
    expect(offsets(sequencer.accept(at(5)).ready)).toEqual([5, 6, 7]);
    expect(sequencer.waiting).toBe(0);
  });

  it("tells a redelivery from a late first delivery", () => {
    const sequencer = new OffsetSequencer(1);
    sequencer.accept(at(1));
    sequencer.accept(at(3));
    expect(sequencer.accept(at(1)).duplicate).toBe(true);
    expect(sequencer.accept(at(3)).duplicate).toBe(true);
    expect(sequencer.accept(at(2))).toMatchObject({ duplicate: false });
  });

  it("skips a gap that never fills and can hand its held events back", () => {
    const sequencer = new OffsetSequencer(1);
    sequencer.accept(at(4));
    sequencer.accept(at(5));
    expect(sequencer.gapAgeMs()).toBeGreaterThanOrEqual(0);
    const { skipped, ready } = sequencer.skipGap();
    expect(skipped).toEqual([1, 3]);
    expect(offsets(ready)).toEqual([4, 5]);
    sequencer.accept(at(8));
    expect(offsets(sequencer.takeWaiting())).toEqual([8]);
    expect(sequencer.expected).toBe(6);
  });
});
