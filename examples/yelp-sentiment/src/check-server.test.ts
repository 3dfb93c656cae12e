import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { freePort } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { checkServer } from "./check-server.js";
import type { TestServer } from "../test/app-processes.js";
import { startTestServer } from "../test/app-processes.js";

describe("checkServer", () => {
  let weir: TestServer;
  const other = createServer((_, response) =>
    response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html>"),
  );
  let otherUrl: string;

  beforeAll(async () => {
    weir = await startTestServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await weir.close();
    await new Promise((resolve) => other.close(resolve));
  });

  it("passes when a Weir server answers", async () => {
    await expect(checkServer({ apiUrl: weir.url, streamUrl: weir.url })).resolves.toBeUndefined();
  });

  it("says where it looked and what to do when nothing listens there", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(checkServer({ apiUrl: url, streamUrl: url })).rejects.toMatchObject({
      code: "WEIR_YELP_SERVER",
      message: `Cannot reach the Weir server at ${url} (connection refused). Start one with \`weir server start\` (or run everything with \`weir demo\`), or set WEIR_API_URL to its address.`,
    });
  });

  it("tells another service that answers there from a Weir server", async () => {
    await expect(checkServer({ apiUrl: otherUrl, streamUrl: otherUrl })).rejects.toMatchObject({
      code: "WEIR_YELP_SERVER",
      message: expect.stringMatching(
        /answers, but not as a Weir server \(GET \/api\/health: HTTP 200, not Weir's health report\)/,
      ) as unknown,
    });
  });
});
