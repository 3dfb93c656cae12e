import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceMissingError } from "@weir/test-support";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sharedFiles } from "./golden.js";

describe("locating the shared reference data", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "weir-shared-"));
    vi.stubEnv("WEIR_SHARED_DIR", dir);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it("returns undefined outside CI when files are missing, after printing exactly one line", async () => {
    vi.stubEnv("CI", "");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const paths = await sharedFiles({ a: "golden/river/a.jsonl", b: "data/b.csv" });
    expect(paths).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toBe(
      `[weir tests] skipping: shared reference data is not available (${join(dir, "golden/river/a.jsonl")} does not exist (and 1 more of the suite's files)).`,
    );
  });

  it("throws under CI=true, so that CI can never pass by skipping", async () => {
    vi.stubEnv("CI", "true");
    await expect(sharedFiles({ a: "golden/river/a.jsonl" })).rejects.toBeInstanceOf(ServiceMissingError);
  });

  it("finds the files under WEIR_SHARED_DIR when they are there", async () => {
    vi.stubEnv("CI", "true");
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "b.csv"), "text,sentiment\n");
    expect(await sharedFiles({ b: "data/b.csv" })).toEqual({ b: join(dir, "data", "b.csv") });
  });
});
