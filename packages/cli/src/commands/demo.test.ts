import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

const bin = new URL("../../dist/bin.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "weir-demo-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a user with no Weir settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("WEIR_")));
}

describe("weir demo", () => {
  it("starts a server and the three components, shows their states, and stops them Cancelled on Ctrl-C", async () => {
    const child = spawn(
      process.execPath,
      [bin, "demo", "--port", "0", "--data-dir", join(dir, ".weir"), "--rate", "0"],
      {
        cwd: dir,
        env: cleanEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    const deadline = Date.now() + 45_000;
    while (
      !/publisher Completed · subscriber Running · monitor Running · 337 reviews, 337 metrics/.test(output)
    ) {
      if (Date.now() > deadline || child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(output).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(output).toMatch(
      /publisher Completed · subscriber Running · monitor Running · 337 reviews, 337 metrics/,
    );

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toMatch(/publisher Completed · subscriber Cancelled · monitor Cancelled/);
    expect(output).toContain("Stopping the Weir server");
  }, 90_000);
});
