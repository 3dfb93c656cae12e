import { fdatasync, fstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { pageSchema, topicEventSchema, topicSummarySchema } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

import { startServer } from "../start-server.js";
import type { WeirServer } from "../start-server.js";
import Database from "better-sqlite3";

import { EventLogError } from "./event-log-error.js";
import { EventLog } from "./event-log.js";
import type { PublishResult } from "./event-log.js";
import type { StoredEvent } from "./event-store.js";
import {
  DeliveryFrameReader,
  OLDEST_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  PublishFrameWriter,
  VERSION_MISMATCH_CLOSE_CODE,
} from "@weir/protocol/stream";
import type { PublishableEvent, ServerFrame } from "@weir/protocol/stream";

/** A delivery as a raw client decodes it from a binary frame. */
interface Delivered {
  s: number;
  o: number;
  n: number;
  i: string;
  m: string;
  c: number;
  tn?: string;
  tv?: number;
  md?: string;
  data: Buffer;
}

/** A raw protocol client: sends frames, collects what comes back (deliveries decoded). */
class RawClient {
  readonly frames: ServerFrame[] = [];
  readonly delivered: Delivered[] = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (raw: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.frames.push(JSON.parse(raw.toString()) as ServerFrame);
        return;
      }
      const reader = new DeliveryFrameReader(raw);
      while (reader.next())
        this.delivered.push({
          s: reader.subscription,
          o: reader.offset,
          n: reader.deliveryCount,
          i: reader.id,
          m: reader.mimetype,
          c: reader.createdAt,
          ...(reader.typeName === undefined ? {} : { tn: reader.typeName }),
          ...(reader.typeVersion === undefined ? {} : { tv: reader.typeVersion }),
          ...(reader.metadata === undefined ? {} : { md: reader.metadata }),
          data: Buffer.from(raw.subarray(reader.payloadStart, reader.payloadEnd)),
        });
    });
    ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  static open(
    url: string,
    headers: Record<string, string> = {},
    version = `${PROTOCOL_VERSION}`,
  ): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const query = version === "" ? "" : `?v=${version}`;
      const ws = new WebSocket(url.replace(/^http/, "ws") + "/api/stream" + query, { headers });
      const client = new RawClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }
  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  /** Sends a binary publish frame. */
  publish(r: number, topic: string, events: PublishableEvent[]): void {
    this.ws.send(publishFrame(r, topic, events));
  }
  async deliveries(count: number): Promise<Delivered[]> {
    for (let i = 0; i < 400 && this.delivered.length < count; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return this.delivered;
  }
  async answer(r: number): Promise<ServerFrame> {
    for (let i = 0; i < 400; i++) {
      const found = this.frames.find((frame) => "r" in frame && frame.r === r);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no answer to request ${r}`);
  }
  async waitClosed(): Promise<{ code: number; reason: string }> {
    for (let i = 0; i < 400 && !this.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!this.closed) throw new Error("connection stayed open");
    return this.closed;
  }
}

function publishFrame(r: number, topic: string, events: PublishableEvent[]): Buffer {
  const writer = new PublishFrameWriter(topic);
  for (const e of events) writer.add(e);
  return writer.finish(r);
}

/** An event to publish: bytes unless `text` is given. */
const publishable = (
  fields: Partial<PublishableEvent> & Pick<PublishableEvent, "id" | "mimetype">,
): PublishableEvent => ({
  text: undefined,
  data: Buffer.alloc(0),
  typeName: undefined,
  typeVersion: undefined,
  metadata: undefined,
  idempotencyKey: undefined,
  ...fields,
});

const event = (text: string, extra: Partial<PublishableEvent> = {}): PublishableEvent =>
  publishable({
    id: `id-${text}`,
    data: Buffer.from(JSON.stringify({ text })),
    mimetype: "application/json",
    ...extra,
  });

describe("embedded event log over /api/stream", () => {
  let server: WeirServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-event-log-"));
    server = await startServer({ port: 0, dataDir: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("closes only the connection that sent a malformed frame", async () => {
    const good = await RawClient.open(server.url);
    const bad = await RawClient.open(server.url);
    const worse = await RawClient.open(server.url);
    const alien = await RawClient.open(server.url);
    good.send({ t: "create", r: 1, topic: "malformed-check", opts: {}, ifMissing: true });
    expect((await good.answer(1)).t).toBe("ok");
    bad.send("{not json");
    const frame = publishFrame(1, "malformed-check", [event("a")]);
    worse.ws.send(frame.subarray(0, frame.length - 3));
    alien.ws.send(Buffer.from([9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]));
    expect(await bad.waitClosed()).toMatchObject({
      code: 1007,
      reason: expect.stringContaining("not JSON") as unknown,
    });
    expect(await worse.waitClosed()).toMatchObject({
      code: 1008,
      reason: expect.stringContaining("truncated record") as unknown,
    });
    expect(await alien.waitClosed()).toMatchObject({
      code: 1007,
      reason: expect.stringContaining("not a publish frame") as unknown,
    });
    good.publish(2, "malformed-check", [event("still served")]);
    expect(await good.answer(2)).toMatchObject({ t: "puback", o: [1] });
    expect(good.closed).toBeUndefined();
    good.ws.close();
  });

  it("answers bad events inside a valid frame with an error and keeps the connection", async () => {
    const client = await RawClient.open(server.url);
    client.send({ t: "create", r: 1, topic: "bad-events", opts: {}, ifMissing: true });
    await client.answer(1);
    client.publish(2, "bad-events", [event("x", { typeVersion: -3 })]);
    expect(await client.answer(2)).toMatchObject({
      t: "err",
      code: "WEIR_MALFORMED_EVENT",
      message: expect.stringContaining("typeVersion") as unknown,
    });
    client.publish(6, "bad-events", [
      event("y", { metadata: { k: 1 } as unknown as Record<string, string> }),
    ]);
    // The event rules of @weir/protocol/stream, in the words @weir/stream uses for them.
    expect(await client.answer(6)).toMatchObject({
      t: "err",
      code: "WEIR_MALFORMED_EVENT",
      message: 'Malformed event: metadata["k"] must be a string, got number.',
    });
    client.publish(9, "bad-events", [event("m", { mimetype: "text/plain/extra" })]);
    expect(await client.answer(9)).toMatchObject({
      t: "err",
      code: "WEIR_MALFORMED_EVENT",
      message: 'Malformed event: mimetype "text/plain/extra" is not of the form type/subtype.',
    });
    client.publish(10, "bad-events", [event("k", { metadata: { "": "empty key" } })]);
    expect(await client.answer(10)).toMatchObject({
      t: "err",
      code: "WEIR_MALFORMED_EVENT",
      message: "Malformed event: metadata keys must be non-empty strings.",
    });
    client.publish(7, "bad-events", [event("z", { id: "" })]);
    expect(await client.answer(7)).toMatchObject({
      t: "err",
      message: expect.stringContaining("id must") as unknown,
    });
    const huge = publishable({
      id: "big",
      data: Buffer.alloc(1024 * 1024 + 1),
      mimetype: "application/octet-stream",
    });
    client.publish(3, "bad-events", [huge]);
    expect(await client.answer(3)).toMatchObject({
      t: "err",
      code: "WEIR_EVENT_TOO_LARGE",
      message: expect.stringContaining("over the limit of 1048576 bytes") as unknown,
    });
    client.publish(4, "no-such-topic", [event("y")]);
    expect(await client.answer(4)).toMatchObject({
      t: "err",
      code: "WEIR_TOPIC_NOT_FOUND",
      known: expect.arrayContaining(["bad-events"]) as unknown,
    });
    client.publish(5, "bad-events", [event("fine")]);
    expect(await client.answer(5)).toMatchObject({ t: "puback", o: [1] });
    // The group rule of @weir/protocol/stream, the one every @weir/stream backend applies.
    client.send({
      t: "sub",
      r: 8,
      s: 1,
      topic: "bad-events",
      group: "a.b",
      from: "earliest",
      ackWaitMs: 30000,
      maxDeliver: 5,
      maxInFlight: 10,
    });
    expect(await client.answer(8)).toMatchObject({
      t: "err",
      code: "WEIR_INVALID_TOPIC_NAME",
      message: expect.stringContaining('Invalid group name "a.b": use 1–200 characters') as unknown,
    });
    client.ws.close();
  });

  it("shows topics, groups and recent events over REST", async () => {
    const create = await fetch(`${server.url}/api/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "rest-view" }),
    });
    expect(create.status).toBe(201);
    const client = await RawClient.open(server.url);
    client.publish(1, "rest-view", [event("a"), event("b"), event("c")]);
    await client.answer(1);
    client.send({
      t: "sub",
      r: 2,
      s: 1,
      topic: "rest-view",
      group: "dash",
      from: "earliest",
      ackWaitMs: 30000,
      maxDeliver: 5,
      maxInFlight: 10,
    });
    await client.answer(2);
    client.send({ t: "ack", s: 1, o: [1, 1] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const topic = (await (await fetch(`${server.url}/api/topics/rest-view`)).json()) as Record<
      string,
      unknown
    >;
    expect(topic).toMatchObject({
      name: "rest-view",
      eventCount: 3,
      firstOffset: 1,
      lastOffset: 3,
      groups: [{ name: "dash", ackedOffset: 1, pending: 2, lag: 2, consumers: 1 }],
    });
    expect(topic.publishRate).toBeGreaterThan(0);
    const list = (await (await fetch(`${server.url}/api/topics`)).json()) as { items: { name: string }[] };
    expect(list.items.map((item) => item.name)).toContain("rest-view");
    const page = (await (await fetch(`${server.url}/api/topics/rest-view/events?limit=2`)).json()) as {
      items: { offset: number; data: string; encoding: string }[];
    };
    expect(page.items.map((item) => item.offset)).toEqual([2, 3]);
    expect(page.items[0]).toMatchObject({ encoding: "utf8", data: '{"text":"b"}' });
    const from = (await (await fetch(`${server.url}/api/topics/rest-view/events?from=1&limit=1`)).json()) as {
      items: { offset: number }[];
      nextCursor: string | null;
    };
    expect(from).toMatchObject({ items: [{ offset: 1 }], nextCursor: "2" });
    expect((await fetch(`${server.url}/api/topics/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/topics/rest-view/events?limit=9999`)).status).toBe(400);
    client.ws.close();
    expect((await fetch(`${server.url}/api/topics/rest-view`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${server.url}/api/topics/rest-view`)).status).toBe(404);
  });

  it("describes topics with the topic summary of @weir/protocol, field for field, over REST and the stream", async () => {
    const getJson = async (path: string): Promise<unknown> => (await fetch(`${server.url}${path}`)).json();
    const post = (body: unknown) =>
      fetch(`${server.url}/api/topics`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created: unknown = await (
      await post({ name: "contract-view", maxAgeMs: 3_600_000, maxBytes: 1_000_000 })
    ).json();
    expect(topicSummarySchema.parse(created)).toEqual(created);
    expect((await post({ name: "contract-empty" })).status).toBe(201);
    const client = await RawClient.open(server.url);
    client.publish(1, "contract-view", [
      event("a", { typeName: "review", typeVersion: 2, metadata: { source: "test" } }),
      event("b"),
      event("c"),
    ]);
    await client.answer(1);
    // A durable group with one member that acknowledged the first event, and an ephemeral reader.
    const sub = { t: "sub", topic: "contract-view", from: "earliest", ackWaitMs: 30000, maxDeliver: 5 };
    client.send({ ...sub, r: 2, s: 1, group: "contract-group", maxInFlight: 10 });
    client.send({ ...sub, r: 3, s: 2, maxInFlight: 10 });
    await client.answer(2);
    await client.answer(3);
    await client.deliveries(6);
    client.send({ t: "ack", s: 1, o: [1, 1] });
    let one: unknown;
    for (let i = 0; i < 200; i++) {
      one = await getJson("/api/topics/contract-view");
      if ((one as { groups: { ackedOffset: number }[] }).groups[0]?.ackedOffset === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Parsing keeps the contract's fields only: equal means no field is missing, renamed or extra.
    expect(topicSummarySchema.parse(one)).toEqual(one);
    expect(one).toMatchObject({
      name: "contract-view",
      eventCount: 3,
      firstOffset: 1,
      lastOffset: 3,
      maxAgeMs: 3_600_000,
      maxBytes: 1_000_000,
      groups: [{ name: "contract-group", ackedOffset: 1, pending: 2, lag: 2, consumers: 1 }],
    });
    expect((one as { publishRate: number }).publishRate).toBeGreaterThan(0);

    const list = await getJson("/api/topics");
    expect(pageSchema(topicSummarySchema).parse(list)).toEqual(list);
    const empty = (list as { items: { name: string }[] }).items.find((t) => t.name === "contract-empty");
    expect(empty).toMatchObject({ eventCount: 0, firstOffset: 0, lastOffset: 0, bytes: 0, groups: [] });
    expect(empty).not.toHaveProperty("maxAgeMs");

    const events = await getJson("/api/topics/contract-view/events?from=1");
    expect(pageSchema(topicEventSchema).parse(events)).toEqual(events);
    expect((events as { items: unknown[] }).items[0]).toMatchObject({
      offset: 1,
      typeName: "review",
      typeVersion: 2,
      metadata: { source: "test" },
      encoding: "utf8",
      data: '{"text":"a"}',
    });

    // The stream's own `info` answer is the same summary.
    client.send({ t: "info", r: 4, topic: "contract-view" });
    const info = (await client.answer(4)) as { result: unknown };
    expect(topicSummarySchema.parse(info.result)).toEqual(info.result);
    client.ws.close();
  });

  it("keeps serving a connection that publishes far more than its in-flight bound", async () => {
    const client = await RawClient.open(server.url);
    client.send({ t: "create", r: 1, topic: "pressure", opts: {}, ifMissing: true });
    await client.answer(1);
    for (let r = 2; r < 42; r++)
      client.publish(
        r,
        "pressure",
        Array.from({ length: 2000 }, (_, i) => event(`${r}-${i}`)),
      );
    const last = await client.answer(41);
    expect(last).toMatchObject({ t: "puback" });
    expect((last as { o: number[] }).o.at(-1)).toBe(80_000);
    client.ws.close();
  });
});

describe("embedded event log payloads and versions", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("delivers text and binary payloads byte for byte, from memory and from the store after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-bytes-"));
    dirs.push(dir);
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const published = [
      publishable({
        id: "json",
        text: JSON.stringify({ text: 'naïve 😀 "q" \\' }),
        mimetype: "application/json",
      }),
      publishable({ id: "lone", text: "a\uD800b", mimetype: "text/plain" }),
      publishable({
        id: "nul",
        text: "x\u0000y",
        mimetype: "text/plain",
        typeName: "t.text",
        typeVersion: 3,
        metadata: { k: "ü" },
      }),
      publishable({ id: "bin", data: binary, mimetype: "application/octet-stream" }),
      publishable({ id: "json-bytes", data: Buffer.from('{"b":1}'), mimetype: "application/json" }),
    ];
    // What UTF-8 encoding of the published text gives (a lone surrogate becomes U+FFFD).
    const expected = [
      Buffer.from(published[0]?.text ?? ""),
      Buffer.from([0x61, 0xef, 0xbf, 0xbd, 0x62]),
      Buffer.from([0x78, 0x00, 0x79]),
      binary,
      Buffer.from('{"b":1}'),
    ];
    const consume = async (url: string, group: string): Promise<Delivered[]> => {
      const client = await RawClient.open(url);
      client.send({
        t: "sub",
        r: 1,
        s: 3,
        topic: "bytes",
        group,
        from: "earliest",
        ackWaitMs: 30000,
        maxDeliver: 5,
        maxInFlight: 100,
      });
      await client.answer(1);
      const delivered = await client.deliveries(published.length);
      client.ws.close();
      return delivered;
    };

    let server = await startServer({ port: 0, dataDir: dir });
    const client = await RawClient.open(server.url);
    client.send({ t: "create", r: 1, topic: "bytes", opts: {}, ifMissing: false });
    await client.answer(1);
    client.publish(2, "bytes", published);
    expect(await client.answer(2)).toMatchObject({ t: "puback", o: [1, 2, 3, 4, 5] });
    client.ws.close();
    const fromMemory = await consume(server.url, "first");
    await server.close();
    server = await startServer({ port: 0, dataDir: dir });
    try {
      const fromStore = await consume(server.url, "second");
      for (const delivered of [fromMemory, fromStore]) {
        expect(delivered.map((event) => event.data)).toEqual(expected);
        expect(delivered.map((event) => [event.s, event.o, event.n, event.i, event.m])).toEqual(
          published.map((event, k) => [3, k + 1, 1, event.id, event.mimetype]),
        );
        expect(delivered[2]).toMatchObject({ tn: "t.text", tv: 3, md: '{"k":"ü"}' });
        expect(delivered[0]?.tn).toBeUndefined();
      }
      const page = (await (await fetch(`${server.url}/api/topics/bytes/events?from=1`)).json()) as {
        items: { data: string; encoding: string; size: number }[];
      };
      expect(page.items.map((item) => [item.encoding, item.data])).toEqual([
        ["utf8", published[0]?.text],
        ["utf8", "a\uFFFDb"],
        ["utf8", "x\u0000y"],
        ["base64", binary.toString("base64")],
        ["utf8", '{"b":1}'],
      ]);
      expect(page.items[1]?.size).toBe(5 + "text/plain".length);
    } finally {
      await server.close();
    }
  });

  it("refuses a client of a protocol version it does not serve with a reason naming both versions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-version-"));
    dirs.push(dir);
    const server = await startServer({ port: 0, dataDir: dir });
    try {
      for (const version of ["", "1", String(OLDEST_PROTOCOL_VERSION - 1), String(PROTOCOL_VERSION + 1)]) {
        const client = await RawClient.open(server.url, {}, version);
        expect(await client.waitClosed()).toEqual({
          code: VERSION_MISMATCH_CLOSE_CODE,
          reason: `client speaks stream protocol v${version || "1"}, server v${OLDEST_PROTOCOL_VERSION} to v${PROTOCOL_VERSION}: use matching versions of @weir/stream and the Weir server`,
        });
        expect(client.frames).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });

  it("names the topic's incarnation to a subscriber, and still serves a v3 client in v3", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-identity-"));
    dirs.push(dir);
    const server = await startServer({ port: 0, dataDir: dir });
    const sub = (r: number, s: number) => ({
      t: "sub",
      r,
      s,
      topic: "named",
      from: "earliest",
      ackWaitMs: 30000,
      maxDeliver: 5,
      maxInFlight: 10,
    });
    try {
      for (const version of [String(OLDEST_PROTOCOL_VERSION), String(PROTOCOL_VERSION)]) {
        const client = await RawClient.open(server.url, {}, version);
        client.send({ t: "create", r: 1, topic: "named", opts: {}, ifMissing: true });
        const created = await client.answer(1);
        expect(client.frames[0]).toMatchObject({ t: "hello", v: Number(version) });
        const topicId = (created as { result: { topicId: string } }).result.topicId;
        expect(topicId).toMatch(/^[0-9a-f-]{36}$/);
        client.send(sub(2, 1));
        expect(await client.answer(2)).toEqual({ t: "ok", r: 2, result: { topicId } });
        client.ws.close();
      }
      const client = await RawClient.open(server.url);
      client.send({ t: "info", r: 1, topic: "named" });
      const before = ((await client.answer(1)) as { result: { topicId: string } }).result.topicId;
      client.send({ t: "delete", r: 2, topic: "named" });
      await client.answer(2);
      client.send({ t: "create", r: 3, topic: "named", opts: {}, ifMissing: false });
      const after = ((await client.answer(3)) as { result: { topicId: string } }).result.topicId;
      expect(after).not.toBe(before);
      client.send(sub(4, 2));
      expect(await client.answer(4)).toEqual({ t: "ok", r: 4, result: { topicId: after } });
      client.ws.close();
    } finally {
      await server.close();
    }
  });
});

describe("embedded event log with an API key", () => {
  let server: WeirServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-event-log-key-"));
    server = await startServer({ port: 0, dataDir: dir, apiKey: "s3cret" });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a stream connection without the key and accepts one with it", async () => {
    await expect(RawClient.open(server.url)).rejects.toThrow("HTTP 401");
    await expect(RawClient.open(server.url, { authorization: "Bearer wrong" })).rejects.toThrow("HTTP 401");
    const client = await RawClient.open(server.url, { authorization: "Bearer s3cret" });
    client.send({ t: "list", r: 1 });
    expect((await client.answer(1)).t).toBe("ok");
    client.ws.close();
    const post = await fetch(`${server.url}/api/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "keyed" }),
    });
    expect(post.status).toBe(401);
  });
});

describe("EventLog storage", () => {
  it("keeps events, offsets and group positions across a reopen, and applies retention", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-store-"));
    try {
      const log = new EventLog({ dataDir: dir });
      log.createTopic("kept", { maxBytes: 300 }, false);
      const topic = log.topic("kept");
      const ev = (n: number) => ({
        id: `e${n}`,
        data: Buffer.alloc(100, n),
        mimetype: "application/octet-stream",
        typeName: null,
        typeVersion: null,
        metadata: null,
        idempotencyKey: n === 1 ? "first" : null,
        size: 124,
      });
      const acked = await new Promise((resolve) => log.publish(topic, [1, 2, 3, 4, 5].map(ev), resolve));
      expect(acked).toMatchObject({ offsets: [1, 2, 3, 4, 5] });
      const group = log.group(topic, "keeper", "earliest");
      group.floor = 2;
      log.groupChanged(group);
      await new Promise<void>((resolve) => log.afterCommit(resolve));
      log.close();

      const again = new EventLog({ dataDir: dir });
      const reopened = again.topic("kept");
      expect(again.summary(reopened)).toMatchObject({
        topicId: topic.row.uid,
        eventCount: 5,
        lastOffset: 5,
        groups: [{ name: "keeper", ackedOffset: 2 }],
      });
      const dup = await new Promise((resolve) => again.publish(reopened, [ev(1), ev(6)], resolve));
      expect(dup).toMatchObject({ offsets: [1, 6], duplicates: { "0": "e1" } });
      again.runRetention();
      expect(again.summary(reopened)).toMatchObject({
        eventCount: 2,
        firstOffset: 5,
        lastOffset: 6,
        bytes: 248,
      });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves recently committed events from memory exactly as the store holds them, minus what retention removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-tail-"));
    try {
      const log = new EventLog({ dataDir: dir });
      log.createTopic("tail", { maxBytes: 1000 }, false);
      const topic = log.topic("tail");
      const ev = (n: number) => ({
        id: `t${n}`,
        data: Buffer.from(JSON.stringify({ n })),
        mimetype: "application/json",
        typeName: n % 2 === 0 ? "even" : null,
        typeVersion: n % 2 === 0 ? 2 : null,
        metadata: n % 3 === 0 ? JSON.stringify({ k: String(n) }) : null,
        idempotencyKey: null,
        size: 100,
      });
      await new Promise((resolve) => log.publish(topic, [1, 2, 3, 4, 5, 6].map(ev), resolve));
      await new Promise((resolve) => log.publish(topic, [7, 8, 9, 10, 11, 12].map(ev), resolve));
      const cached = topic.read(1, 100);
      expect(cached.map((event) => event.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      log.close();

      const again = new EventLog({ dataDir: dir });
      const fromStore = again.topic("tail").read(1, 100);
      expect(cached).toEqual(fromStore);
      expect(topic.get(9)).toEqual(again.topic("tail").get(9));
      again.close();

      const third = new EventLog({ dataDir: dir });
      const live = third.topic("tail");
      await new Promise((resolve) => third.publish(live, [13, 14].map(ev), resolve));
      third.runRetention();
      expect(third.summary(live)).toMatchObject({ firstOffset: 5, lastOffset: 14 });
      expect(live.read(1, 3).map((event) => event.offset)).toEqual([5, 6, 7]);
      expect(live.read(13, 100).map((event) => event.id)).toEqual(["t13", "t14"]);
      expect(live.get(14)).toMatchObject({ id: "t14", typeName: "even", typeVersion: 2 });
      expect(live.get(4)).toBeUndefined();
      third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("answers a publish and delivers its events only once the WAL is synced, commits meanwhile, and fails a publish whose sync failed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-sync-"));
    const syncs: { fd: number; done: (error: NodeJS.ErrnoException | null) => void }[] = [];
    const waitFor = async (condition: () => boolean): Promise<void> => {
      for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
      expect(condition()).toBe(true);
    };
    try {
      const log = new EventLog({ dataDir: dir, syncFile: (fd, done) => syncs.push({ fd, done }) });
      log.createTopic("synced", {}, false);
      const topic = log.topic("synced");
      const delivered: number[] = [];
      log.group(topic, "reader", "earliest").addMember({
        maxInFlight: 100,
        ackWaitMs: 60_000,
        maxDeliver: 5,
        inFlight: 0,
        deliver: (event: StoredEvent) => delivered.push(event.offset),
      });
      const ev = (n: number) => ({
        id: `s${n}`,
        data: `{"n":${n}}`,
        mimetype: "application/json",
        typeName: null,
        typeVersion: null,
        metadata: null,
        idempotencyKey: null,
        size: 7,
      });
      let first: PublishResult | Error | undefined;
      let second: PublishResult | Error | undefined;
      log.publish(topic, [ev(1), ev(2)], (result) => (first = result));
      await waitFor(() => syncs.length === 1);
      // Committed to SQLite, but neither answered nor visible until the sync completes.
      expect(fstatSync(syncs[0]!.fd).ino).toBe(statSync(join(dir, "events.db-wal")).ino);
      expect(first).toBeUndefined();
      expect(delivered).toEqual([]);
      expect(log.summary(topic)).toMatchObject({ eventCount: 0, lastOffset: 0 });
      expect(topic.read(1, 10)).toEqual([]);

      log.publish(topic, [ev(3)], (result) => (second = result));
      const reader = new Database(join(dir, "events.db"), { readonly: true });
      try {
        // The next commit is written while the first sync is still in flight; it waits for its own.
        await waitFor(
          () => (reader.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n === 3,
        );
      } finally {
        reader.close();
      }
      expect(syncs).toHaveLength(1);

      await new Promise<void>((resolve) => fdatasync(syncs[0]!.fd, () => (syncs[0]!.done(null), resolve())));
      expect(first).toMatchObject({ offsets: [1, 2] });
      expect(delivered).toEqual([1, 2]);
      expect(second).toBeUndefined();
      expect(syncs).toHaveLength(2);

      syncs[1]!.done(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      expect(second).toBeInstanceOf(EventLogError);
      expect(second).toMatchObject({ code: "WEIR_UNAVAILABLE", status: 503 });
      expect((second as Error).message).toMatch(
        /could not sync its file to disk \(EIO: i\/o error, fdatasync\).*publish again/,
      );
      log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a publish once closed with its typed, retryable error", () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-log-closed-"));
    try {
      const log = new EventLog({ dataDir: dir });
      log.createTopic("closing", {}, false);
      const topic = log.topic("closing");
      log.close();
      let answer: PublishResult | Error | undefined;
      log.publish(
        topic,
        [
          {
            id: "late",
            data: "{}",
            mimetype: "application/json",
            typeName: null,
            typeVersion: null,
            metadata: null,
            idempotencyKey: null,
            size: 18,
          },
        ],
        (result) => (answer = result),
      );
      expect(answer).toBeInstanceOf(EventLogError);
      expect(answer).toMatchObject({
        code: "WEIR_UNAVAILABLE",
        message: expect.stringContaining("Publish again once it is back") as unknown,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
