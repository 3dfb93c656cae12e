import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

interface PackageJson {
  name: string;
  private?: boolean;
  files?: string[];
  exports?: Record<string, string | { import?: string }>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Every workspace package of the repository, by name. */
function workspaces(): Map<string, { dir: string; pkg: PackageJson }> {
  const found = new Map<string, { dir: string; pkg: PackageJson }>();
  for (const parent of ["packages", "examples"]) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(root, parent, entry.name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
      found.set(pkg.name, { dir, pkg });
    }
  }
  return found;
}

/** The `weir` package and every workspace package it needs at run time. */
function runtimeClosure(): { dir: string; pkg: PackageJson }[] {
  const all = workspaces();
  const seen = new Map<string, { dir: string; pkg: PackageJson }>();
  const visit = (name: string): void => {
    const entry = all.get(name);
    if (entry === undefined || seen.has(name)) return;
    seen.set(name, entry);
    for (const dependency of Object.keys(entry.pkg.dependencies ?? {})) visit(dependency);
  };
  visit("weir");
  return [...seen.values()];
}

/** The files `npm pack` would put in the tarball (nothing is built or written). */
function packedFiles(dir: string): string[] {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [report] = JSON.parse(output) as { files: { path: string }[] }[];
  return (report?.files ?? []).map((file) => file.path);
}

describe("publishing the weir command", () => {
  const closure = runtimeClosure();

  it("does not need the reference application: it is an optional peer, loaded only by demo and example", () => {
    const weir = closure.find((entry) => entry.pkg.name === "weir")!.pkg as PackageJson & {
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(weir.dependencies ?? {})).not.toContain("@weir/example-yelp-sentiment");
    expect(weir.peerDependenciesMeta?.["@weir/example-yelp-sentiment"]?.optional).toBe(true);
  });

  it("depends only on packages that can be published", () => {
    expect(closure.map((entry) => entry.pkg.name).sort()).toEqual([
      "@weir/learn", // the server serves models from memory
      "@weir/protocol",
      "@weir/server",
      "@weir/stream",
      "@weir/stream-nats",
      "@weir/ui",
      "weir",
    ]);
    for (const { pkg } of closure) {
      expect(pkg.private, `${pkg.name} is private`).toBeUndefined();
      expect(pkg.files, `${pkg.name} lists the files it publishes`).toContain("dist");
    }
  });

  it.each(closure.map((entry) => [entry.pkg.name, entry] as const))(
    "packs %s with its entry points and without tests or sources",
    (name, { dir, pkg }) => {
      const files = packedFiles(dir);
      const entryPoints = [
        ...Object.values(pkg.exports ?? {}).map((target) =>
          typeof target === "string" ? target : target.import,
        ),
        ...Object.values(pkg.bin ?? {}),
      ].flatMap((path) => (path === undefined || path.endsWith(".json") ? [] : [path.replace(/^\.\//, "")]));
      // The dashboard is a built site, not a module: the server serves its dist/ folder.
      if (name !== "@weir/ui") expect(entryPoints.length, `${name} has an entry point`).toBeGreaterThan(0);
      for (const path of entryPoints) expect(files, `${name} ships ${path}`).toContain(path);
      expect(files.filter((path) => /\.test\.|(^|\/)src\//.test(path))).toEqual([]);
      if (name === "@weir/example-yelp-sentiment") expect(files).toContain("data/reviews.csv");
      if (name === "@weir/ui") expect(files).toContain("dist/index.html");
    },
  );
});
