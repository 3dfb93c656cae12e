import { afterEach, describe, expect, it, vi } from "vitest";
import { sharedFile } from "./golden.js";

describe("locating the shared reference data", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("returns undefined for a missing file outside CI, so that suites skip", () => {
    vi.stubEnv("CI", "");
    expect(sharedFile("golden/river/does-not-exist.jsonl")).toBeUndefined();
  });

  it("throws for a missing file under CI=true, so that CI can never pass by skipping", () => {
    vi.stubEnv("CI", "true");
    expect(() => sharedFile("golden/river/does-not-exist.jsonl")).toThrow(
      /missing .* never skip under CI=true/,
    );
  });
});
