import { describe, expect, it } from "vitest";

import { stateCodecFor } from "./state-codec.js";

/** Shaped like a `@weir/learn` model: `toJSON()` and a static `fromJSON()`. */
class Counts {
  constructor(readonly counts: Record<string, number> = {}) {}
  learnOne(word: string): this {
    this.counts[word] = (this.counts[word] ?? 0) + 1;
    return this;
  }
  toJSON(): { counts: Record<string, number> } {
    return { counts: { ...this.counts } };
  }
  static fromJSON(json: unknown): Counts {
    return new Counts({ ...(json as { counts: Record<string, number> }).counts });
  }
}

describe("stateCodecFor", () => {
  it("saves a model with its toJSON() and restores it with its class's fromJSON()", () => {
    const codec = stateCodecFor(new Counts().learnOne("good"));
    const saved = JSON.parse(JSON.stringify(codec.toJSON(new Counts().learnOne("bad")))) as unknown;
    const restored = codec.fromJSON(saved);
    expect(restored).toBeInstanceOf(Counts);
    expect(restored.counts).toEqual({ bad: 1 });
  });

  it("copies plain data, so a snapshot does not change when the state does", () => {
    const state = { seen: [1, 2], total: { n: 2 } };
    const codec = stateCodecFor(state);
    const snapshot = codec.toJSON(state);
    state.seen.push(3);
    state.total.n = 3;
    expect(snapshot).toEqual({ seen: [1, 2], total: { n: 2 } });
    expect(codec.fromJSON(snapshot)).toEqual({ seen: [1, 2], total: { n: 2 } });
  });

  it("uses the codec it is given", () => {
    const codec = { toJSON: (m: Map<string, number>) => [...m], fromJSON: (j: unknown) => new Map(j as []) };
    expect(stateCodecFor(new Map([["a", 1]]), codec)).toBe(codec);
  });

  it.each([
    [
      "a Map inside plain data",
      { counts: new Map() },
      /state\.counts \(a Map\) would not survive a JSON round trip/,
    ],
    ["a model inside plain data", { model: new Counts() }, /state\.model \(a Counts\)/],
    ["a number", 0, /wrap a number as \{ count: 0 \}/],
    ["toJSON without a static fromJSON", { toJSON: () => 1 }, /no static fromJSON\(\) on its class/],
  ])("refuses, saying to pass a codec, %s", (_, state, message) => {
    expect(() => stateCodecFor(state)).toThrow(message);
  });
});
