import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

describe("@weir/learn's package.json", () => {
  it("declares no runtime dependencies at all", () => {
    expect(pkg["name"]).toBe("@weir/learn");
    expect(pkg).not.toHaveProperty("dependencies");
    expect(pkg).not.toHaveProperty("peerDependencies");
    expect(pkg).not.toHaveProperty("optionalDependencies");
  });

  it("publishes only the ESM build and the README", () => {
    expect(pkg["type"]).toBe("module");
    expect(pkg["exports"]).toEqual({ ".": { types: "./dist/index.d.ts", import: "./dist/index.js" } });
    expect(pkg["files"]).toEqual(["dist", "README.md"]);
  });
});
