import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import type { Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = new URL("../../dist/bin.js", import.meta.url).pathname;

/**
 * `weir runs logs --follow` against a server that frames its events as any standard-conforming
 * one may: CRLF line ends, JSON data split over several `data:` lines, comments, and event kinds
 * the command does not know. The run itself comes from a real Weir server, so its shape is real.
 */
describe("weir runs logs --follow", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-cli-follow-"));
  let weir: Awaited<ReturnType<typeof startServer>>;
  let sse: Server;
  let running: Run;
  let sseUrl = "";

  beforeAll(async () => {
    weir = await startServer({ port: 0, dataDir, uiDir: join(dataDir, "no-ui"), apiKey: "" });
    const created = await fetch(`${weir.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ flowName: "follow-crlf", state: "Running" }),
    });
    running = (await created.json()) as Run;
    const completed: Run = { ...running, state: "Completed", stateMessage: "all done" };
    const line = (seq: number, message: string) => ({
      runId: running.id,
      seq,
      level: "info",
      levelNo: 20,
      message,
      fields: null,
      timestamp: new Date().toISOString(),
      taskRunId: null,
    });
    /** Data over several lines: the JSON text split at its top-level commas. */
    const multiLine = (value: unknown) =>
      JSON.stringify(value)
        .split(/,(?=")/)
        .map((part, i, all) => `data: ${part}${i < all.length - 1 ? "," : ""}`)
        .join("\r\n");
    sse = createServer((request, response) => {
      const path = request.url ?? "";
      if (path.startsWith("/api/events")) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(": a comment the parser skips\r\n\r\n");
        response.write(`event: deployment\r\ndata: {"unknown":"kind"}\r\n\r\n`);
        response.write(`event: log\r\n${multiLine(line(0, "first line"))}\r\n\r\n`);
        setTimeout(() => {
          response.write(`event: log\r\ndata: ${JSON.stringify(line(1, "second line"))}\r\n\r\n`);
          response.write(`event: run\r\n${multiLine(completed)}\r\n\r\n`);
        }, 100);
        return;
      }
      // The page of stored lines (empty) and the run (still running) come from the real server.
      void fetch(weir.url + path).then(async (answer) => {
        response.writeHead(answer.status, { "content-type": "application/json" });
        response.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => sse.listen(0, "127.0.0.1", resolve));
    sseUrl = `http://127.0.0.1:${(sse.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    sse.closeAllConnections();
    await new Promise((resolve) => sse.close(resolve));
    await weir.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reads CRLF-framed, multi-line events and stops at the run's end", async () => {
    const { stdout } = await run(process.execPath, [bin, "runs", "logs", running.id, "--follow"], {
      env: { ...process.env, WEIR_API_URL: sseUrl },
      timeout: 20_000,
    });
    const lines = stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/ INFO +first line$/) as unknown,
      expect.stringMatching(/ INFO +second line$/) as unknown,
      "— run Completed: all done",
    ]);
  });
});
