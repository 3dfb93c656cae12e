import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { connect } from "@weir/stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = new URL("../../dist/bin.js", import.meta.url).pathname;

describe("weir topics", () => {
  let server: WeirServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const weir = (...args: string[]) => run(process.execPath, [bin, "topics", ...args], { env });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-cli-topics-"));
    server = await startServer({ port: 0, dataDir: dir });
    env = { ...process.env, WEIR_API_URL: server.url };
    delete env.WEIR_STREAM_URL;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates, lists, describes and tails a topic on the Weir server", async () => {
    expect((await weir("create", "cli_reviews", "--max-age", "60000")).stdout).toContain(
      'Topic "cli_reviews" is ready',
    );
    const stream = await connect({ url: server.url });
    await stream.publish("cli_reviews", [
      { data: { text: "great food" }, typeName: "review", typeVersion: 1 },
      { data: { text: "cold soup" } },
    ]);
    const list = (await weir("list")).stdout;
    expect(list).toMatch(/TOPIC\s+EVENTS/);
    expect(list).toMatch(/cli_reviews\s+2\s+1\s+2/);
    const info = (await weir("info", "cli_reviews")).stdout;
    expect(info).toContain("events       2");
    expect(info).toContain("60000 ms");
    const tail = (await weir("tail", "cli_reviews", "--from", "earliest", "-n", "2")).stdout
      .trim()
      .split("\n");
    expect(tail).toHaveLength(2);
    expect(tail[0]).toMatch(/^\s*1\s+\S+Z review@1\s+\{"text":"great food"\}$/);
    expect(tail[1]).toContain('{"text":"cold soup"}');
    const json = (await weir("tail", "cli_reviews", "--from", "2", "-n", "1", "--json")).stdout;
    expect(JSON.parse(json)).toMatchObject({ offset: 2, data: '{"text":"cold soup"}' });
    await stream.close();
  });

  it("explains an unknown topic and exits non-zero", async () => {
    const failure = (await weir("info", "nope").catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('Topic "nope" does not exist');
  });
});
