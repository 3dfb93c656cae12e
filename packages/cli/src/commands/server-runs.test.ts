import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = new URL("../../dist/bin.js", import.meta.url).pathname;

describe("weir server start and weir runs", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-cli-server-"));
  const server = spawn(process.execPath, [bin, "server", "start", "--port", "0", "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WEIR_API_KEY: "" },
  });
  let output = "";
  let url = "";
  const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
  beforeAll(async () => {
    server.stdout.on("data", (d: Buffer) => (output += d.toString()));
    while (!/listening on (http:\/\/\S+)/.test(output)) await new Promise((r) => setTimeout(r, 50));
    url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  });
  afterAll(() => {
    if (server.exitCode === null) server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { id: string };
  };
  const weir = (...args: string[]) =>
    run(process.execPath, [bin, ...args], { env: { ...process.env, WEIR_API_URL: url } });

  it("lists runs as a table, filtered by state and flow", async () => {
    const running = await post("/api/runs", {
      flowName: "model-subscriber",
      name: "busy-otter",
      state: "Running",
    });
    await post("/api/runs", { flowName: "publisher", name: "done-yak", state: "Running" }).then((r) =>
      post(`/api/runs/${r.id}/state`, { id: randomUUID(), type: "Completed" }),
    );
    const all = await weir("runs", "ls");
    expect(all.stdout).toMatch(/^ID\s+NAME\s+FLOW\s+STATE/);
    expect(all.stdout).toContain("busy-otter");
    expect(all.stdout).toContain("done-yak");
    const filtered = await weir("runs", "ls", "--state", "Running", "--flow", "model-subscriber");
    expect(filtered.stdout).toContain(running.id);
    expect(filtered.stdout).not.toContain("done-yak");
  });

  it("prints a run's logs with their levels", async () => {
    const { id } = await post("/api/runs", { flowName: "monitor", state: "Running" });
    await post("/api/ingest", {
      logs: [
        { runId: id, seq: 0, level: "info", message: "started" },
        { runId: id, seq: 1, level: "warning", message: "Precision is below threshold: 0.5" },
      ],
    });
    const { stdout } = await weir("runs", "logs", id);
    expect(stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/ INFO +started$/) as unknown,
      expect.stringMatching(/ WARNING +Precision is below threshold: 0.5$/) as unknown,
    ]);
    const warnings = await weir("runs", "logs", id, "--level", "warning");
    expect(warnings.stdout).not.toContain("started");
  });

  it("follows a run's new lines until it ends", async () => {
    const { id } = await post("/api/runs", { flowName: "follow", state: "Running" });
    const following = weir("runs", "logs", id, "--follow");
    await new Promise((r) => setTimeout(r, 700));
    await post("/api/ingest", {
      logs: [{ runId: id, seq: 0, level: "info", message: "live line" }],
      states: [{ runId: id, id: randomUUID(), type: "Completed" }],
    });
    const { stdout } = await following;
    expect(stdout).toContain("live line");
    expect(stdout).toContain("run Completed");
  });

  it("says where it looked when the server is unreachable", async () => {
    const failure = await run(process.execPath, [bin, "runs", "ls"], {
      env: { ...process.env, WEIR_API_URL: "http://127.0.0.1:1" },
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot reach the Weir server at http:\/\/127.0.0.1:1/) as unknown,
    });
  });

  it("stops gracefully on SIGTERM", async () => {
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("Weir server stopped.");
  });
});
