// The slow one, in its own file so it runs once and last (see vitest.config.ts): a new user's
// `npm install && npm start`, `npx weir`, and `npm test` on a clone with no ../shared beside it.
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";

import { freePort, repoRoot } from "@weir/test-support";
import { afterAll, describe, expect, it } from "vitest";

/** The repository to clone: this one (its committed HEAD) unless WEIR_FRESH_CLONE_REPO names another. */
const source = process.env.WEIR_FRESH_CLONE_REPO ?? repoRoot;

/** The environment of a new user: the system's, without any WEIR_* setting. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("WEIR_") && !key.startsWith("VITEST") && key !== "NODE_ENV") env[key] = value;
  }
  return env;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  // Own process group, so the test can stop npm, its shell and the demo together.
  return spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
}

/** Set for the `npm test` this file runs inside the clone, so that run does not clone again. */
const NESTED = "WEIR_FRESH_CLONE_NESTED";
const nested = process.env[NESTED] === "1";
if (nested)
  console.warn("[weir tests] skipping: the fresh-clone test inside the fresh clone's own npm test.");

describe.skipIf(nested)("a new user's quick start", () => {
  const dir = mkdtempSync(join(tmpdir(), "weir-fresh-clone-"));
  let start: ChildProcess | undefined;
  let dashboard: string | undefined;
  afterAll(async () => {
    const child = start;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      // Ctrl-C for the whole group (npm, its shell, the demo); the demo stops its components.
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGINT");
      const stopped = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!stopped) process.kill(-child.pid, "SIGKILL");
      // npm exits at once; the demo stops its components and then the server.
      for (let waited = 0; dashboard !== undefined && waited < 20_000; waited += 250) {
        const up = await fetch(`${dashboard}/api/health`).then(
          () => true,
          () => false,
        );
        if (!up) break;
        await sleep(250);
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it("clones the repository, runs npm install && npm start, and sees the dashboard URL and three runs within 120 s", async () => {
    const clone = join(dir, "weir");
    execFileSync("git", ["clone", "--quiet", source, clone], { stdio: "pipe" });
    const env = userEnv();
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: clone,
      env,
      encoding: "utf8",
      timeout: 600_000,
    });
    const installOutput = `${install.stdout}\n${install.stderr}`;
    expect(install.status, `npm install failed:\n${installOutput.slice(-4000)}`).toBe(0);
    // No dependency refuses the Node version the README promises.
    expect(installOutput).not.toMatch(/EBADENGINE/);

    // `npx weir` works right after the install, as the examples README writes it.
    const help = spawnSync("npx", ["weir", "--help"], { cwd: clone, env, encoding: "utf8", timeout: 60_000 });
    expect(help.status, `${help.stdout}\n${help.stderr}`).toBe(0);
    expect(help.stdout).toMatch(/^Usage: weir/m);

    const port = await freePort();
    const startedAt = Date.now();
    start = run("npm", ["start", "--", "--port", String(port)], clone, env);
    let output = "";
    start.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    start.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));

    const deadline = startedAt + 120_000;
    let url: string | undefined;
    let flows: string[] = [];
    while (Date.now() < deadline) {
      url ??= /Dashboard: (http:\/\/\S+?)\/?\s/.exec(output)?.[1];
      dashboard = url;
      if (url !== undefined) {
        const page = await fetch(`${url}/api/runs?limit=50`)
          .then((response) => response.json() as Promise<{ items: { flowName: string }[] }>)
          .catch(() => ({ items: [] }));
        flows = [...new Set(page.items.map((item) => item.flowName))].sort();
        if (flows.length === 3) break;
      }
      if (start.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(url, output).toBe(`http://127.0.0.1:${port}`);
    expect(flows, output).toEqual([
      "run-metrics-subscriber",
      "run-yelp-data-publisher",
      "run-yelp-data-subscriber",
    ]);
    expect(Date.now() - startedAt).toBeLessThan(120_000);
  }, 900_000);

  it("passes npm test in the clone, with no ../shared beside it, skipping each suite that needs it in one line", () => {
    const clone = join(dir, "weir");
    expect(existsSync(join(dir, "shared")), "the clone must have no shared folder beside it").toBe(false);
    const env = userEnv();
    delete env.CI;
    delete env.FORCE_COLOR;
    env.NO_COLOR = "1";
    env[NESTED] = "1";
    const test = spawnSync("npm", ["test"], { cwd: clone, env, encoding: "utf8", timeout: 1_800_000 });
    const output = stripVTControlCharacters(`${test.stdout}\n${test.stderr}`);
    expect(test.status, `npm test failed in the clone:\n${output.slice(-6000)}`).toBe(0);
    const skipped = output.split("\n").filter((line) => line.includes("[weir tests] skipping"));
    expect(
      skipped.some((line) => /shared/.test(line)),
      output.slice(-4000),
    ).toBe(true);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/\d+ failed/);
  }, 1_800_000);
});
