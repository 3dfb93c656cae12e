import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, configure, flow } from "./index.js";
import { getRun, tempDir } from "../test/harness.js";

let server: WeirServer;
const tmp = tempDir();

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0, dataDir: `${tmp.dir}/server`, apiKey: "s3cret" });
});

afterAll(async () => {
  await closeClient();
  await server.close();
  tmp.remove();
});

describe("API key", () => {
  it("sends WEIR_API_KEY as a bearer token so that a protected server stores the run", async () => {
    configure({ apiUrl: server.url, apiKey: "s3cret", home: `${tmp.dir}/client`, printLogs: false });
    let runId = "";
    await flow({ name: "with-key" }, (_: void, ctx) => {
      runId = ctx.runId;
    })();
    expect((await getRun(server.url, runId)).state).toBe("Completed");
  });

  it("does not get a run stored without the key (the flow itself still completes)", async () => {
    configure({ apiUrl: server.url, apiKey: "wrong", home: `${tmp.dir}/client-2`, printLogs: false });
    let runId = "";
    const stderr: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => stderr.push(chunk) > 0;
    try {
      expect(
        await flow({ name: "without-key" }, (_: void, ctx) => {
          runId = ctx.runId;
          return 1;
        })(),
      ).toBe(1);
    } finally {
      process.stderr.write = original;
    }
    await expect(getRun(server.url, runId)).rejects.toThrow(/404/);
    expect(stderr.join("")).toMatch(/rejected by the server \(HTTP 401\)/);
  });
});
