/**
 * Locates the shared reference data (`../shared/` beside the repository, or `WEIR_SHARED_DIR`) for
 * tests. Test-only, not part of the package. It goes through the one mechanism every Weir suite
 * uses for what it needs from the machine (`requireService` of `@weir/test-support`): on a
 * developer's machine a missing file skips the suite with one `[weir tests] skipping: …` line;
 * under `CI=true` it throws, so that CI can never pass by skipping.
 */
import { readFileSync } from "node:fs";
import { probeSharedFile, requireService } from "@weir/test-support";
import type { ProbeResult } from "@weir/test-support";
import { describe, it } from "vitest";

/**
 * Absolute paths of the shared files a suite needs (keyed like `files`), or `undefined` when any
 * is missing outside CI (after printing one line saying which). Rejects under `CI=true`.
 *
 * @example
 * ```ts
 * const paths = await sharedFiles({ yelp: "data/yelp.csv" });
 * describeShared("the loop on yelp.csv", paths, (p) => { … });
 * ```
 */
export async function sharedFiles<K extends string>(
  files: Record<K, string>,
): Promise<Record<K, string> | undefined> {
  const handle = await requireService(
    "shared reference data",
    async (): Promise<ProbeResult<Record<K, string>>> => {
      const found = {} as Record<K, string>;
      const missing: string[] = [];
      for (const [key, rel] of Object.entries(files) as [K, string][]) {
        const probe = await probeSharedFile(rel);
        if (probe.ok) found[key] = probe.value;
        else missing.push(probe.reason);
      }
      if (missing.length === 0) return { ok: true, value: found };
      const more = missing.length > 1 ? ` (and ${missing.length - 1} more of the suite's files)` : "";
      return { ok: false, reason: `${missing[0] as string}${more}` };
    },
  );
  return handle.value;
}

/**
 * `describe(name, …)` over the shared files when they are there. When they are not, registers the
 * suite as skipped without running `body`, which would read them (a skipped `describe` still runs
 * its body while the file is collected).
 */
export function describeShared<K extends string>(
  name: string,
  paths: Record<K, string> | undefined,
  body: (paths: Record<K, string>) => void,
): void {
  if (paths === undefined) {
    describe.skip(name, () => {
      it("needs the shared reference data (../shared or WEIR_SHARED_DIR)", () => undefined);
    });
    return;
  }
  describe(name, () => body(paths));
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
