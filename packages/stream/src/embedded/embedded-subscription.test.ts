import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connect } from "../index.js";
import type { Stream, StreamEvent } from "../index.js";

describe("embedded subscriptions", () => {
  let server: WeirServer;
  let stream: Stream;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-embedded-sub-"));
    server = await startServer({ port: 0, dataDir: dir, logger: false });
    stream = await connect({ url: server.url });
  });
  afterAll(async () => {
    await stream.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("hands out payloads exactly as published: bytes, text and JSON, with their headers", async () => {
    await stream.createTopic("payloads");
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
    const text = 'naïve 😀 "quoted" \\ \u0000 end';
    const acks = await stream.publish("payloads", [
      { data: bytes },
      { data: text, typeName: "t.text", typeVersion: 3, metadata: { k: "ü", z: "" } },
      { data: { n: 1, s: "é" } },
      { data: new Uint8Array(0), mimetype: "application/x-empty" },
    ]);
    const subscription = stream.subscribe("payloads", { group: "readers" });
    const events: StreamEvent[] = [];
    for await (const event of subscription) {
      events.push(event);
      await event.ack();
      if (events.length === 4) break;
    }
    expect(events.map((event) => [event.id, event.offset, event.deliveryCount])).toEqual(
      acks.map((ack) => [ack.id, ack.offset, 1]),
    );
    expect(Buffer.from(events[0]?.data ?? [])).toEqual(Buffer.from(bytes));
    expect(events[0]).toMatchObject({
      mimetype: "application/octet-stream",
      typeName: undefined,
      metadata: {},
    });
    expect(events[1]?.text()).toBe(text);
    expect(Buffer.from(events[1]?.data ?? [])).toEqual(Buffer.from(text, "utf8"));
    expect(events[1]).toMatchObject({
      mimetype: "text/plain",
      typeName: "t.text",
      typeVersion: 3,
      metadata: { k: "ü", z: "" },
    });
    expect(events[2]?.json()).toEqual({ n: 1, s: "é" });
    expect(events[2]?.mimetype).toBe("application/json");
    expect(events[3]?.data).toHaveLength(0);
    expect(events[3]?.mimetype).toBe("application/x-empty");
    for (const event of events) expect(event.createdAt.getTime()).toBe(acks[0]?.committedAt.getTime());
  });

  it("copies the bytes it hands out, so that changing them leaves the event's text as delivered", async () => {
    await stream.createTopic("copies");
    await stream.publish("copies", { data: "abc" });
    const subscription = stream.subscribe("copies", { group: "readers" });
    for await (const event of subscription) {
      const data = event.data;
      data[0] = 0x7a;
      expect([...event.data]).toEqual([0x7a, 0x62, 0x63]);
      expect(event.text()).toBe("abc");
      await event.ack();
      break;
    }
  });
});
