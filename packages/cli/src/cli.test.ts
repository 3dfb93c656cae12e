import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { createProgram } from "./program.js";

const run = promisify(execFile);
const bin = new URL("../dist/bin.js", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("weir command", () => {
  it("prints the package version with --version", async () => {
    const { stdout } = await run(process.execPath, [bin, "--version"]);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it("lists exactly the registered commands in --help", async () => {
    const { stdout } = await run(process.execPath, [bin, "--help"]);
    expect(stdout).toMatch(/^Usage: weir /);
    const registered = createProgram().commands.map((command) => command.name());
    for (const name of registered) expect(stdout).toContain(`  ${name}`);
    const listed = [...stdout.matchAll(/^ {2}([a-z][\w-]*)\b/gm)].map((match) => match[1]);
    expect(listed.filter((name) => name !== "help").sort()).toEqual([...registered].sort());
  });

  it("rejects an unknown command with a hint and a non-zero exit", async () => {
    const failure = await run(process.execPath, [bin, "frobnicate"]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/error: [\s\S]*run `weir --help`/);
  });
});
