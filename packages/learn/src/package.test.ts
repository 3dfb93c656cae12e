import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

describe("@weir/learn's published types", () => {
  /** Every `.d.ts` of the build (`npm test` builds first). */
  const dist = fileURLToPath(new URL("../dist/", import.meta.url));
  const declarations = (readdirSync(dist, { recursive: true }) as string[])
    .filter((file) => file.endsWith(".d.ts"))
    .map((file) => readFileSync(join(dist, file), "utf8"));

  it("leave out the members marked @internal (the fast paths' hooks)", () => {
    expect(declarations.length).toBeGreaterThan(10);
    const all = declarations.join("\n");
    expect(all).toContain("predictProbaOne");
    for (const internal of ["learnIndexed", "jllIndexed", "featureSlot", "registerCheckpointType"])
      expect(all, internal).not.toContain(internal);
  });
});
