import { describe, expect, it } from "vitest";

import { GroupEngine } from "./group-engine.js";
import type { GroupMember, GroupSource } from "./group-engine.js";

interface Ev {
  readonly offset: number;
}

function source(last: number): GroupSource<Ev> {
  return {
    firstOffset: () => 1,
    lastOffset: () => last,
    read: (from, limit) =>
      Array.from({ length: Math.max(0, Math.min(limit, last - from + 1)) }, (_, i) => ({ offset: from + i })),
    get: (offset) => (offset >= 1 && offset <= last ? { offset } : undefined),
  };
}

function member(maxInFlight: number, maxDeliver = 5): GroupMember<Ev> & { got: [number, number][] } {
  const got: [number, number][] = [];
  return {
    maxInFlight,
    ackWaitMs: 60_000,
    maxDeliver,
    inFlight: 0,
    got,
    deliver: (event, count) => got.push([event.offset, count]),
  };
}

describe("GroupEngine", () => {
  it("acknowledges a range of delivered offsets at once and refills the member", () => {
    const group = new GroupEngine<Ev>("g", source(100), 0, () => undefined);
    const m = member(10);
    group.addMember(m);
    expect(m.got.map(([offset]) => offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    group.ackRange(1, 4);
    group.ackRange(6, 6);
    expect(group.floor).toBe(4);
    expect([...group.acked]).toEqual([6]);
    expect(m.inFlight).toBe(10);
    expect(m.got.map(([offset]) => offset).slice(10)).toEqual([11, 12, 13, 14, 15]);
    group.stop();
  });

  it("ignores acknowledgements of offsets never delivered, however wide the range", () => {
    const group = new GroupEngine<Ev>("g", source(1_000_000), 0, () => undefined);
    const m = member(3);
    group.addMember(m);
    group.ackRange(2, Number.MAX_SAFE_INTEGER);
    expect(group.floor).toBe(0);
    expect([...group.acked]).toEqual([2, 3]);
    expect(m.got.map(([offset]) => offset)).toEqual([1, 2, 3, 4, 5]);
    group.stop();
  });

  it("counts redeliveries and gives an event up after maxDeliver", () => {
    const dead: [number, number][] = [];
    const group = new GroupEngine<Ev>("g", source(2), 0, (event, _reason, count) =>
      dead.push([event.offset, count]),
    );
    const m = member(1, 3);
    group.addMember(m);
    group.nack(1, 0);
    group.nack(1, 0);
    group.nack(1, 0);
    expect(m.got).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    expect(dead).toEqual([[1, 3]]);
    group.removeMember(m);
    const next = member(1);
    group.addMember(next);
    expect(next.got).toEqual([[2, 2]]);
    group.stop();
  });
});
