/**
 * Locates the shared reference data (`../shared/` beside the repository) for tests. Not part of
 * the public API. Paths are resolved from the repository root, never from an absolute path, so
 * the suite works wherever the repository is cloned.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root (this file is `packages/learn/src/testing/golden.ts`). */
export const REPO_ROOT: URL = new URL("../../../../", import.meta.url);
/** The shared folder beside the repository. */
export const SHARED_ROOT: URL = new URL("../shared/", REPO_ROOT);

/**
 * Absolute path of a file under `shared/`, or `undefined` when it is missing (so that a suite can
 * `describe.skipIf`). Under `CI=true` a missing file throws instead: CI must never pass by skipping.
 */
export function sharedFile(relPath: string): string | undefined {
  const path = fileURLToPath(new URL(relPath, SHARED_ROOT));
  if (existsSync(path)) return path;
  if (process.env["CI"] === "true") {
    throw new Error(
      `Shared reference data ${relPath} is missing (looked in ${fileURLToPath(SHARED_ROOT)}). ` +
        "CI must provide ../shared beside the repository; golden suites never skip under CI=true.",
    );
  }
  console.warn(`[golden] ${relPath} not found under ${fileURLToPath(SHARED_ROOT)}: skipping this suite.`);
  return undefined;
}

/** Reads a JSON-lines file. */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

/**
 * Reads a golden JSON file. Two of them carry a Python expression instead of a value for the
 * informational `"input"` key (`os.path.join(HERE, ...)`), which is not JSON; that value is
 * replaced by `null` before parsing. Nothing else is altered.
 */
export function readGoldenJson<T = Record<string, unknown>>(path: string): T {
  const raw = readFileSync(path, "utf8");
  const fixed = raw.replace(/"input": os\.path\.join\([^)]*\)/, '"input": null');
  return JSON.parse(fixed) as T;
}
