import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo } from "node:net";
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

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Another service that answers every request with 200 (health checks included) and counts them. */
async function otherService(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_, response) => {
    requests += 1;
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What the curl command the demo prints answers, once the model has a version (within 15 s). */
async function askModel(url: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "The food was great" }),
    });
    if (response.ok || attempt === 60) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function startDemo(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, "demo", ...args], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe("weir demo", () => {
  it("runs on its own server at --port even when WEIR_API_URL and WEIR_STREAM_URL name another service, and on Ctrl-C stops the components Cancelled and prints the final numbers and how to browse the runs again", async () => {
    const other = await otherService();
    const port = await freePort();
    const dataDir = join(dir, "ctrl-c");
    try {
      const demo = startDemo(["--port", String(port), "--data-dir", dataDir, "--rate", "0"], {
        ...cleanEnv(),
        WEIR_API_URL: other.url,
        WEIR_STREAM_URL: other.url,
      });
      const deadline = Date.now() + 45_000;
      while (
        !/publisher Completed · subscriber Running · monitor Running · 337 reviews, 337 metrics/.test(
          demo.output(),
        )
      ) {
        if (Date.now() > deadline || demo.child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(demo.output()).toMatch(new RegExp(`^Dashboard: http://127\\.0\\.0\\.1:${port}/$`, "m"));
      expect(demo.output()).toMatch(
        /publisher Completed · subscriber Running · monitor Running · 337 reviews, 337 metrics/,
      );
      expect(other.requests()).toBe(0);
      // The components run as deployments, on the demo's worker.
      const get = async (path: string): Promise<unknown> =>
        (await fetch(`http://127.0.0.1:${port}/api${path}`)).json();
      expect(await get("/workers")).toEqual([
        expect.objectContaining({ pool: "yelp-sentiment", status: "online" }),
      ]);
      expect(((await get("/deployments")) as { name: string }[]).map((d) => d.name).sort()).toEqual([
        "yelp-sentiment-monitor",
        "yelp-sentiment-publisher",
        "yelp-sentiment-subscriber",
      ]);
      // The printed curl command asks the model the subscriber publishes (a version every 100 reviews).
      const predictUrl = `http://127.0.0.1:${port}/api/models/yelp-sentiment/predict`;
      expect(demo.output()).toContain(
        `curl -d '{"input":"The food was great"}' -H 'content-type: application/json' ${predictUrl}`,
      );
      expect(await askModel(predictUrl)).toMatchObject({
        model: "yelp-sentiment",
        predictions: [{ label: 1 }],
      });

      demo.child.kill("SIGINT");
      expect(await demo.exited).toBe(0);
      const output = demo.output();
      expect(output).toMatch(/publisher Completed · subscriber Cancelled · monitor Cancelled/);
      expect(output).toMatch(
        /^Final precision 0\.\d+ · recall 0\.\d+ \(class 0, after 337 reviews\) · warnings: \d+ precision, \d+ recall$/m,
      );
      expect(output).toContain("Stopping the Weir server");
      expect(output).toContain(
        `Browse these runs again: weir server start --data-dir ${dataDir} --port ${port}, then open http://127.0.0.1:${port}/`,
      );
      expect(other.requests()).toBe(0);
    } finally {
      await other.close();
    }
  }, 90_000);

  it("refuses a --data file that does not exist before starting anything, and exits 1", async () => {
    const dataDir = join(dir, "failure");
    const demo = startDemo(["--port", "0", "--data-dir", dataDir, "--data", "/nonexistent.csv"], cleanEnv());
    expect(await demo.exited).toBe(1);
    const output = demo.output();
    expect(output).toMatch(
      /^weir: The reviews file \/nonexistent\.csv does not exist\. Pass an existing CSV file with --data/m,
    );
    expect(output).not.toContain("Started the Weir server");
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it("says why and exits 1 when its worker stops on its own, after cancelling the runs and stopping the server", async () => {
    const port = await freePort();
    const dataDir = join(dir, "worker-killed");
    const demo = startDemo(["--port", String(port), "--data-dir", dataDir], cleanEnv());
    const deadline = Date.now() + 45_000;
    let pid: RegExpExecArray | null = null;
    while ((pid = /^Started a worker \(pid (\d+)\)/m.exec(demo.output())) === null) {
      if (Date.now() > deadline || demo.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(pid, demo.output()).not.toBeNull();
    process.kill(Number(pid![1]), "SIGKILL");
    expect(await demo.exited).toBe(1);
    const output = demo.output();
    expect(output).toMatch(/^The worker stopped: it was stopped \(SIGKILL\)$/m);
    expect(output).toContain(`(its whole log: ${join(dataDir, "demo-logs", "worker.log")})`);
    expect(output).toContain("Stopping the runs (they end Cancelled)…");
    expect(output).toContain("Stopping the Weir server");
  }, 60_000);
});
