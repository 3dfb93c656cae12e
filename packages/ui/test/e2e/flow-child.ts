import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { repoRoot } from "@weir/test-support";

import { uiRoot } from "./browser.js";

/**
 * Runs a real flow program of this folder (a `*-flow-child.mjs` that prints `{"runId": …}` once its
 * flow run is delivered) against the server at `url`; resolves with the flow run's id.
 */
export function runFlowChild(url: string, file: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), "weir-ui-flow-home-"));
  const child = spawn(process.execPath, [join(uiRoot, "test/e2e", file)], {
    cwd: repoRoot,
    env: { ...process.env, WEIR_API_URL: url, WEIR_HOME: home, WEIR_PRINT_LOGS: "0" },
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => process.stderr.write(`[${file}] ${d.toString()}`));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      rmSync(home, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${file} exited with code ${code}`));
      resolve((JSON.parse(out.trim()) as { runId: string }).runId);
    }),
  );
}
