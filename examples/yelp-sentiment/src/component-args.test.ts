import { describe, expect, it } from "vitest";

import { publisherArgs } from "./component-args.js";

describe("publisherArgs", () => {
  it("reads a rate, and takes 0 as as fast as acks allow (like weir demo --rate 0)", () => {
    expect(publisherArgs(["--data", "r.csv", "--rate", "20"])).toMatchObject({ path: "r.csv", rate: 20 });
    expect(publisherArgs(["--data", "r.csv", "--rate", "0"])).not.toHaveProperty("rate");
    expect(publisherArgs(["--data", "r.csv"])).not.toHaveProperty("rate");
  });

  it("refuses a negative or non-numeric rate with the option's name", () => {
    expect(() => publisherArgs(["--rate=-5"])).toThrow(/--rate must be a positive number; got "-5"/);
    expect(() => publisherArgs(["--rate", "fast"])).toThrow(/--rate/);
  });
});
