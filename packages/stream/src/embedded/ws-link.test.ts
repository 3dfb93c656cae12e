import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

import { connect } from "../index.js";
import type { StreamError } from "../index.js";
import { PROTOCOL_VERSION, PublishFrameReader, VERSION_MISMATCH_CLOSE_CODE } from "@weir/protocol/stream";
import type { ServerFrame } from "@weir/protocol/stream";

/** A stand-in for a Weir server of another version: it records the upgrade URL and answers as told. */
function fakeServer(onConnection: (socket: WebSocket) => void): Promise<{
  url: string;
  paths: string[];
  close: () => Promise<void>;
}> {
  const paths: string[] = [];
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  server.on("connection", (socket, request) => {
    paths.push(request.url ?? "");
    onConnection(socket);
  });
  return new Promise((resolve) =>
    server.once("listening", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        paths,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

describe("embedded stream protocol versions", () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it("asks for its protocol version and fails at once, naming both versions, when the server speaks another", async () => {
    const server = await fakeServer((socket) =>
      socket.send(JSON.stringify({ t: "hello", v: 1, maxEventBytes: 1024 })),
    );
    servers.push(server);
    const started = Date.now();
    const error = (await connect({ url: server.url, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    )) as StreamError;
    expect(error.code).toBe("WEIR_PROTOCOL");
    expect(error.message).toBe(
      `The Weir server at ${server.url.replace("http", "ws")}/api/stream speaks stream protocol v1, ` +
        `this client v${PROTOCOL_VERSION}: use matching versions of @weir/stream and the Weir server.`,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.paths).toEqual([`/api/stream?v=${PROTOCOL_VERSION}`]);
  });

  it("reports the server's reason when the server refuses its version", async () => {
    const server = await fakeServer((socket) =>
      socket.close(VERSION_MISMATCH_CLOSE_CODE, "client speaks stream protocol v2, server v3: upgrade"),
    );
    servers.push(server);
    const error = (await connect({ url: server.url, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    )) as StreamError;
    expect(error).toMatchObject({ code: "WEIR_PROTOCOL", retryable: false });
    expect(error.message).toContain("(client speaks stream protocol v2, server v3: upgrade)");
    expect(server.paths).toHaveLength(1);
  });

  it("raises each refusal the server answers with as the typed error of its code, in the server's words", async () => {
    const unavailable =
      "The event log could not sync its file to disk (EIO); the events may not be durable. Check the disk.";
    const server = await fakeServer((socket) => {
      socket.send(JSON.stringify({ t: "hello", v: PROTOCOL_VERSION, maxEventBytes: 1024 }));
      socket.on("message", (raw: Buffer, isBinary: boolean) => {
        const answer: ServerFrame = isBinary
          ? {
              t: "err",
              r: new PublishFrameReader(raw).requestId,
              code: "WEIR_UNAVAILABLE",
              message: unavailable,
            }
          : {
              t: "err",
              r: (JSON.parse(raw.toString()) as { r: number }).r,
              code: "WEIR_INVALID_TOPIC_NAME",
              message: 'Invalid topic name "reviews": a newer rule.',
            };
        socket.send(JSON.stringify(answer));
      });
    });
    servers.push(server);
    const stream = await connect({ url: server.url, timeoutMs: 5000 });
    const publish = (await stream.publish("reviews", { data: 1 }).catch((e: unknown) => e)) as StreamError;
    expect(publish).toMatchObject({
      name: "StreamUnavailableError",
      code: "WEIR_UNAVAILABLE",
      retryable: true,
      message: unavailable,
    });
    const info = (await stream.topicInfo("reviews").catch((e: unknown) => e)) as StreamError;
    expect(info).toMatchObject({
      code: "WEIR_INVALID_TOPIC_NAME",
      message: 'Invalid topic name "reviews": a newer rule.',
    });
    await stream.close();
  });
});
