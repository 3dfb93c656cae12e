import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { freePort, probeNats, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connect } from "./index.js";
import type { Stream, StreamEvent, Subscription } from "./index.js";

/** A backend this suite runs against: memory, the real Weir server, and the machine's JetStream. */
interface TestBackend {
  readonly name: string;
  start(): Promise<string>;
  stop(): Promise<void>;
}

function embedded(): TestBackend {
  let server: WeirServer | undefined;
  let dir = "";
  return {
    name: "embedded",
    async start() {
      dir = mkdtempSync(join(tmpdir(), "weir-stream-"));
      server = await startServer({ port: 0, dataDir: dir, logger: false });
      return server.url;
    },
    async stop() {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The machine's JetStream; CI fails (rather than skips) when it is missing. */
const nats = await requireService("NATS JetStream", () => probeNats());

const backends: TestBackend[] = [
  { name: "memory", start: () => Promise.resolve("memory:contract"), stop: () => Promise.resolve() },
  embedded(),
  ...(nats.skip
    ? []
    : [{ name: "nats", start: () => Promise.resolve(nats.value as string), stop: () => Promise.resolve() }]),
];

/** Reads `count` events from a subscription without closing it. */
async function take(subscription: Subscription, count: number, timeoutMs = 10_000): Promise<StreamEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: StreamEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const left = deadline - Date.now();
    const next = await Promise.race([
      iterator.next(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), Math.max(0, left))),
    ]);
    if (next === "timeout")
      throw new Error(`received ${events.length} of ${count} events within ${timeoutMs} ms`);
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

/** Resolves with the next event, or undefined when none arrives within `ms`. */
async function nextWithin(subscription: Subscription, ms: number): Promise<StreamEvent | undefined> {
  try {
    return (await take(subscription, 1, ms))[0];
  } catch {
    return undefined;
  }
}

const created: string[] = [];
/** A topic name unique to this run (removed again after the suite, with its dead-letter topic). */
const unique = (label: string): string => {
  const name = `${label}-${randomUUID().slice(0, 8)}`;
  created.push(name, `${name}.dead-letter`, `${name}-missing`);
  return name;
};

describe.each(backends)("stream contract on the $name backend", (backend) => {
  let stream: Stream;
  let url: string;

  beforeAll(async () => {
    url = await backend.start();
    stream = await connect({ url });
  });

  afterAll(async () => {
    for (const name of created) await stream?.deleteTopic(name).catch(() => undefined);
    await stream?.close();
    await backend.stop();
  });

  it("creates, lists, describes and deletes topics", async () => {
    const name = unique("topics");
    const created = await stream.createTopic(name);
    expect(created).toMatchObject({ name, eventCount: 0, lastOffset: 0 });
    await expect(stream.createTopic(name)).rejects.toMatchObject({ code: "WEIR_TOPIC_EXISTS" });
    expect((await stream.ensureTopic(name)).name).toBe(name);
    expect((await stream.listTopics()).map((topic) => topic.name)).toContain(name);
    await stream.publish(name, [{ data: { a: 1 } }, { data: { a: 2 } }]);
    expect(await stream.topicInfo(name)).toMatchObject({ eventCount: 2, lastOffset: 2 });
    await stream.deleteTopic(name);
    await expect(stream.topicInfo(name)).rejects.toMatchObject({ code: "WEIR_TOPIC_NOT_FOUND" });
  });

  it("delivers events in publish order with their data and headers", async () => {
    const topic = unique("order");
    await stream.createTopic(topic);
    const pipelined = Array.from({ length: 50 }, (_, i) =>
      stream.publish(topic, {
        data: { i },
        typeName: "test.counter",
        typeVersion: 2,
        metadata: { source: "contract" },
      }),
    );
    const firstAcks = await Promise.all(pipelined);
    const batchAcks = await stream.publish(
      topic,
      Array.from({ length: 50 }, (_, i) => ({ data: { i: i + 50 } })),
    );
    const offsets = [...firstAcks, ...batchAcks].map((ack) => ack.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(100);
    const subscription = stream.subscribe(topic, { group: "readers" });
    const events = await take(subscription, 100);
    expect(events.map((event) => event.json<{ i: number }>().i)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(events.map((event) => event.offset)).toEqual(offsets);
    expect(events[0]).toMatchObject({
      id: firstAcks[0]?.id,
      topic,
      mimetype: "application/json",
      typeName: "test.counter",
      typeVersion: 2,
      metadata: { source: "contract" },
      deliveryCount: 1,
    });
    expect(events[0]?.createdAt).toBeInstanceOf(Date);
    await subscription.close();
  });

  it("does not deliver acknowledged events to the group again", async () => {
    const topic = unique("ack");
    await stream.createTopic(topic);
    await stream.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ data: `e${i}` })),
    );
    const first = stream.subscribe(topic, { group: "g", ackWaitMs: 500 });
    for (const event of await take(first, 10)) await event.ack();
    await first.close();
    await stream.publish(topic, { data: "after" });
    const second = stream.subscribe(topic, { group: "g", ackWaitMs: 500 });
    const [next] = await take(second, 1);
    expect(next?.text()).toBe("after");
    expect(next?.deliveryCount).toBe(1);
    await next?.ack();
    await second.close();
  });

  it("redelivers a nacked event after its delay", async () => {
    const topic = unique("nack");
    await stream.createTopic(topic);
    await stream.publish(topic, { data: "retry me" });
    const subscription = stream.subscribe(topic, { group: "g" });
    const [first] = await take(subscription, 1);
    const nackedAt = Date.now();
    await first?.nack({ delayMs: 600 });
    const [again] = await take(subscription, 1);
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(400);
    expect(again).toMatchObject({ offset: first?.offset, deliveryCount: 2 });
    expect(again?.text()).toBe("retry me");
    await again?.ack();
    await subscription.close();
  });

  it("redelivers an unacknowledged event after ackWaitMs", async () => {
    const topic = unique("ackwait");
    await stream.createTopic(topic);
    await stream.publish(topic, { data: "slow" });
    const subscription = stream.subscribe(topic, { group: "g", ackWaitMs: 800 });
    const [first] = await take(subscription, 1);
    const [again] = await take(subscription, 1, 10_000);
    expect(again).toMatchObject({ offset: first?.offset, deliveryCount: 2 });
    await again?.ack();
    await subscription.close();
  });

  it("moves an event to <topic>.dead-letter with the reason after maxDeliver deliveries", async () => {
    const topic = unique("dlq");
    await stream.createTopic(topic);
    const ack = await stream.publish(topic, { data: { poison: true } });
    await stream.publish(topic, { data: { fine: true } });
    const subscription = stream.subscribe(topic, { group: "g", maxDeliver: 2 });
    const seen: StreamEvent[] = [];
    let fineAcked = false;
    while (!fineAcked || seen.filter((event) => event.offset === ack.offset).length < 2) {
      const [event] = await take(subscription, 1);
      if (!event) throw new Error("subscription ended");
      if (event.json<{ poison?: boolean }>().poison) {
        seen.push(event);
        await event.nack();
      } else {
        fineAcked = true;
        await event.ack();
      }
    }
    expect(seen.filter((event) => event.offset === ack.offset).map((event) => event.deliveryCount)).toEqual([
      1, 2,
    ]);
    // Dead-lettering is asynchronous: wait until the event has arrived there.
    const deadline = Date.now() + 10_000;
    while ((await stream.topicInfo(`${topic}.dead-letter`).catch(() => undefined))?.eventCount !== 1) {
      if (Date.now() > deadline) throw new Error("nothing arrived in the dead-letter topic");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const dead = stream.subscribe(`${topic}.dead-letter`, { group: "inspect" });
    const [moved] = await take(dead, 1);
    expect(moved?.json()).toEqual({ poison: true });
    expect(moved?.metadata["weir-dead-letter-reason"]).toMatch(/nacked after 2 deliveries \(maxDeliver 2\)/);
    expect(moved?.metadata["weir-source-offset"]).toBe(String(ack.offset));
    await dead.close();
    expect(await nextWithin(subscription, 500)).toBeUndefined();
    await subscription.close();
  });

  it("stores an event that two groups give up on in <topic>.dead-letter once", async () => {
    const topic = unique("dlq-once");
    await stream.createTopic(topic);
    await stream.publish(topic, { data: { poison: true } });
    for (const group of ["first", "second"]) {
      const subscription = stream.subscribe(topic, { group, maxDeliver: 1 });
      const nacking = (async () => {
        for await (const event of subscription) await event.nack();
      })();
      // The group has given the event up once it no longer owes it (NATS hands it out once more first).
      const deadline = Date.now() + 10_000;
      while ((await stream.topicInfo(topic)).groups.find((g) => g.name === group)?.lag !== 0) {
        if (Date.now() > deadline) throw new Error(`group ${group} did not give the event up`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await subscription.close();
      await nacking;
    }
    // Published after both dead letters, so every dead letter stored comes before it.
    await stream.publish(`${topic}.dead-letter`, { data: { marker: true } });
    const dead = stream.subscribe(`${topic}.dead-letter`, { from: "earliest" });
    const stored: unknown[] = [];
    for await (const event of dead) {
      stored.push(event.json());
      if (stored.length === 3 || event.json<{ marker?: boolean }>().marker) break;
    }
    await dead.close();
    expect(stored).toEqual([{ poison: true }, { marker: true }]);
  });

  it("resumes a group from its last acknowledged event after the consumer restarts", async () => {
    const topic = unique("resume");
    await stream.createTopic(topic);
    const acks = await stream.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ data: { i } })),
    );
    const consumer = await connect({ url });
    const first = consumer.subscribe(topic, { group: "model", maxInFlight: 5 });
    for (const event of await take(first, 5)) await event.ack();
    await consumer.close();
    const restarted = await connect({ url });
    const second = restarted.subscribe(topic, { group: "model" });
    const rest = await take(second, 5);
    expect(rest.map((event) => event.offset)).toEqual(acks.slice(5).map((ack) => ack.offset));
    for (const event of rest) await event.ack();
    await restarted.close();
  });

  it("shares the work of a group between two consumers without delivering an event to both", async () => {
    const topic = unique("share");
    await stream.createTopic(topic);
    await stream.publish(
      topic,
      Array.from({ length: 200 }, (_, i) => ({ data: { i } })),
    );
    const other = await connect({ url });
    const a = stream.subscribe(topic, { group: "workers", maxInFlight: 10 });
    const b = other.subscribe(topic, { group: "workers", maxInFlight: 10 });
    const got = { a: [] as number[], b: [] as number[] };
    const drain = async (subscription: Subscription, into: number[]): Promise<void> => {
      for (;;) {
        const event = await nextWithin(subscription, 1500);
        if (!event) return;
        into.push(event.offset);
        await new Promise((resolve) => setTimeout(resolve, 1));
        await event.ack();
      }
    };
    await Promise.all([drain(a, got.a), drain(b, got.b)]);
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    expect(got.a.filter((offset) => got.b.includes(offset))).toEqual([]);
    expect(got.a.length + got.b.length).toBe(200);
    await a.close();
    await b.close();
    await other.close();
  });

  it("replays a topic from a given offset", async () => {
    const topic = unique("replay");
    await stream.createTopic(topic);
    const acks = await stream.publish(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ data: { i } })),
    );
    const start = acks[12]?.offset ?? 0;
    const replay = stream.subscribe(topic, { from: { offset: start } });
    const events = await take(replay, 8);
    expect(events.map((event) => event.json<{ i: number }>().i)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    await replay.close();
    const group = stream.subscribe(topic, { group: "late", from: "latest" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stream.publish(topic, { data: { i: 20 } });
    const [latest] = await take(group, 1);
    expect(latest?.json()).toEqual({ i: 20 });
    await group.close();
  });

  it("stores a publish once per idempotency key", async () => {
    const topic = unique("dedupe");
    await stream.createTopic(topic);
    const first = await stream.publish(topic, { data: "once" }, { idempotencyKey: "k-1" });
    const again = await stream.publish(topic, { data: "once" }, { idempotencyKey: "k-1" });
    const batch = await stream.publish(topic, [{ data: "x", idempotencyKey: "k-1" }, { data: "y" }]);
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ offset: first.offset, id: first.id, duplicate: true });
    expect(batch[0]).toMatchObject({ offset: first.offset, duplicate: true });
    expect((await stream.topicInfo(topic)).eventCount).toBe(2);
  });

  it("names each incarnation of a topic: the same for every call, subscription and event, another once the topic is created again", async () => {
    const topic = unique("identity");
    const first = (await stream.createTopic(topic)).topicId;
    expect(first).toEqual(expect.any(String));
    expect((await stream.ensureTopic(topic)).topicId).toBe(first);
    expect((await stream.listTopics()).find((info) => info.name === topic)?.topicId).toBe(first);
    await stream.publish(topic, [{ data: "old 1" }, { data: "old 2" }]);
    const reader = stream.subscribe(topic, { group: "g" });
    expect(await reader.topicId).toBe(first);
    const [event] = await take(reader, 1);
    expect(event).toMatchObject({ offset: 1, topicId: first });
    await event?.ack();
    await reader.close();
    // Another client, a later subscription of the same group: still the same topic.
    const other = await connect({ url });
    const again = other.subscribe(topic, { group: "g" });
    expect(await again.topicId).toBe(first);
    expect((await take(again, 1))[0]).toMatchObject({ offset: 2, topicId: first });
    await other.close();

    await stream.deleteTopic(topic);
    const second = (await stream.createTopic(topic)).topicId;
    expect(second).not.toBe(first);
    expect((await stream.topicInfo(topic)).topicId).toBe(second);
    // The offsets start over: (topicId, offset) tells the new event at offset 1 from the old one.
    const ack = await stream.publish(topic, { data: "new 1" });
    expect(ack.offset).toBe(1);
    const renewed = stream.subscribe(topic, { group: "g" });
    expect(await renewed.topicId).toBe(second);
    const [fresh] = await take(renewed, 1);
    expect(fresh).toMatchObject({ offset: 1, topicId: second });
    expect(fresh?.text()).toBe("new 1");
    await renewed.close();
  });

  it("ends a subscription whose topic is deleted and created again instead of reading the new topic", async () => {
    const topic = unique("recreated");
    await stream.createTopic(topic);
    await stream.publish(topic, { data: "old" });
    const subscription = stream.subscribe(topic, { group: "g", ackWaitMs: 1000 });
    const [old] = await take(subscription, 1);
    await old?.ack();
    await stream.deleteTopic(topic);
    await stream.createTopic(topic);
    await stream.publish(topic, { data: "new" });
    // The backends notice at different times (NATS at its next pull): wait for the end.
    const seen: string[] = [];
    const ended = await (async () => {
      try {
        for await (const event of subscription) seen.push(event.text());
        return undefined;
      } catch (error) {
        return error as { code?: string };
      }
    })();
    expect(seen).toEqual([]);
    expect(["WEIR_TOPIC_NOT_FOUND", "WEIR_TOPIC_CHANGED"]).toContain(ended?.code);
    await expect(subscription.topicId).resolves.toBe(old?.topicId);
  }, 40_000);

  it("rejects topicId of a subscription to a topic that does not exist", async () => {
    const missing = `${unique("absent")}-missing`;
    const subscription = stream.subscribe(missing, { group: "g" });
    await expect(subscription.topicId).rejects.toMatchObject({ code: "WEIR_TOPIC_NOT_FOUND" });
    await subscription.close();
  });

  it("refuses a publish whose signal is already aborted, and stores nothing", async () => {
    const topic = unique("aborted");
    await stream.createTopic(topic);
    const controller = new AbortController();
    controller.abort(new Error("the caller gave up"));
    await expect(stream.publish(topic, { data: 1 }, { signal: controller.signal })).rejects.toThrow(
      "the caller gave up",
    );
    await expect(stream.publish(topic, [{ data: 2 }], { signal: controller.signal })).rejects.toThrow(
      "the caller gave up",
    );
    expect((await stream.topicInfo(topic)).eventCount).toBe(0);
    await expect(
      stream.publish(topic, { data: 3 }, { signal: new AbortController().signal }),
    ).resolves.toMatchObject({
      offset: 1,
    });
  });

  it("rejects oversized, malformed and unroutable events with clear errors", async () => {
    const topic = unique("reject");
    await stream.createTopic(topic);
    const big = new Uint8Array(stream.maxEventBytes + 1);
    await expect(stream.publish(topic, { data: big })).rejects.toMatchObject({
      code: "WEIR_EVENT_TOO_LARGE",
      message: expect.stringMatching(/over the limit of \d+ bytes/) as unknown,
    });
    await expect(stream.publish(topic, { data: undefined })).rejects.toMatchObject({
      code: "WEIR_MALFORMED_EVENT",
    });
    await expect(stream.publish(topic, { data: 1, typeVersion: -1 })).rejects.toMatchObject({
      code: "WEIR_MALFORMED_EVENT",
      message: expect.stringContaining("typeVersion") as unknown,
    });
    await expect(
      stream.publish(topic, { data: 1, metadata: { n: 5 as unknown as string } }),
    ).rejects.toMatchObject({ code: "WEIR_MALFORMED_EVENT" });
    await expect(stream.publish(topic, { data: 1, metadata: { "": "no key" } })).rejects.toMatchObject({
      code: "WEIR_MALFORMED_EVENT",
      message: "Malformed event: metadata keys must be non-empty strings.",
    });
    await expect(stream.publish(topic, "just a string" as never)).rejects.toMatchObject({
      code: "WEIR_MALFORMED_EVENT",
    });
    const missing = `${topic}-missing`;
    const error = (await stream.publish(missing, { data: 1 }).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(error.code).toBe("WEIR_TOPIC_NOT_FOUND");
    expect(error.message).toContain(`Topic "${missing}" does not exist`);
    expect(error.message).toContain(topic);
    expect(error.message).toMatch(/weir topics create/);
    expect((await stream.topicInfo(topic)).eventCount).toBe(0);
  });

  it('refuses a group name with a "." at once, saying which characters are allowed', async () => {
    const topic = unique("group-name");
    await stream.createTopic(topic);
    let refused: unknown;
    try {
      stream.subscribe(topic, { group: "a.b" });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: "WEIR_INVALID_TOPIC_NAME",
      retryable: false,
      message: expect.stringContaining(
        'Invalid group name "a.b": use 1–200 characters from A–Z, a–z, 0–9, "_" and "-"',
      ) as unknown,
    });
    // A topic name may hold dots; the same group name without one is fine.
    await stream.publish(topic, { data: "kept" });
    const subscription = stream.subscribe(topic, { group: "a_b" });
    expect((await take(subscription, 1))[0]?.text()).toBe("kept");
    await subscription.close();
  });
});

describe("topic identity on the embedded backend across server restarts", () => {
  const dirs: string[] = [];
  const servers: WeirServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "weir-stream-identity-"));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, port = 0): Promise<WeirServer> => {
    const server = await startServer({ port, dataDir, logger: false });
    servers.push(server);
    return server;
  };
  const stop = async (server: WeirServer): Promise<void> => {
    servers.splice(servers.indexOf(server), 1);
    await server.close();
  };
  /** Waits until the group's acknowledgements reached the server. */
  const ackedUpTo = async (stream: Stream, topic: string, offset: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const group = (await stream.topicInfo(topic)).groups.find((g) => g.name === "g");
      if ((group?.ackedOffset ?? 0) >= offset) return;
      if (Date.now() > deadline) throw new Error(`the group's acknowledgements did not reach ${offset}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("keeps a topic's identity across a restart, where a subscription re-attaches and reads on", async () => {
    const dataDir = newDir();
    const first = await start(dataDir);
    const stream = await connect({ url: first.url });
    try {
      const topicId = (await stream.createTopic("kept")).topicId;
      await stream.publish("kept", [{ data: 1 }, { data: 2 }]);
      const subscription = stream.subscribe("kept", { group: "g" });
      expect(await subscription.topicId).toBe(topicId);
      for (const event of await take(subscription, 2)) await event.ack();
      await ackedUpTo(stream, "kept", 2);

      await stop(first);
      await start(dataDir, first.port);
      expect((await stream.topicInfo("kept")).topicId).toBe(topicId);
      await stream.publish("kept", { data: 3 });
      const [next] = await take(subscription, 1);
      expect(next).toMatchObject({ offset: 3, topicId });
      await subscription.close();
    } finally {
      await stream.close();
    }
  });

  it("ends a subscription that re-attaches to a server on a new data directory where the topic was created anew", async () => {
    const first = await start(newDir());
    const stream = await connect({ url: first.url });
    try {
      const topicId = (await stream.createTopic("river")).topicId;
      await stream.publish("river", [{ data: 1 }, { data: 2 }, { data: 3 }]);
      const subscription = stream.subscribe("river", { group: "g" });
      for (const event of await take(subscription, 3)) await event.ack();
      await ackedUpTo(stream, "river", 3);

      // The same topic name in another data directory (e.g. `weir server start --data-dir` changed).
      const fresh = newDir();
      const elsewhere = await start(fresh);
      const setup = await connect({ url: elsewhere.url });
      const otherId = (await setup.createTopic("river")).topicId;
      await setup.publish("river", [{ data: "a" }, { data: "b" }, { data: "c" }, { data: "d" }]);
      await setup.close();
      await stop(elsewhere);
      expect(otherId).not.toBe(topicId);

      await stop(first);
      await start(fresh, first.port);
      const error = await take(subscription, 1).then(
        () => undefined,
        (failure: unknown) => failure as Error & { code: string },
      );
      expect(error).toMatchObject({ code: "WEIR_TOPIC_CHANGED", name: "TopicChangedError" });
      expect(error?.message).toContain(`Topic "river" was deleted and created again`);
      expect(error?.message).toContain(otherId);
      // The new topic's events are still there for a subscriber that starts fresh.
      const renewed = stream.subscribe("river", { group: "g" });
      expect(await renewed.topicId).toBe(otherId);
      expect((await take(renewed, 4)).map((event) => event.offset)).toEqual([1, 2, 3, 4]);
      await renewed.close();
    } finally {
      await stream.close();
    }
  });
});

const NATS_SERVER = process.env.WEIR_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

describe.skipIf(nats.skip || !existsSync(NATS_SERVER))(
  "topic identity on the NATS backend across server restarts",
  () => {
    const nodes = new Set<ChildProcess>();
    const dirs: string[] = [];
    afterAll(() => {
      for (const node of nodes) node.kill("SIGKILL");
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const newDir = (): string => {
      const dir = mkdtempSync(join(tmpdir(), "weir-nats-identity-"));
      dirs.push(dir);
      return dir;
    };
    /** A JetStream node of its own, storing under `dir`. */
    const startNode = (port: number, dir: string): ChildProcess => {
      const node = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], {
        stdio: "ignore",
      });
      nodes.add(node);
      return node;
    };
    const stopNode = async (node: ChildProcess): Promise<void> => {
      const exited = new Promise((resolve) => node.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
      nodes.delete(node);
    };
    async function retry<T>(attempt: () => Promise<T>): Promise<T> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }

    it("keeps a topic's identity across a restart, and ends a subscription that re-attaches to a stream created anew", async () => {
      const port = await freePort();
      const dir = newDir();
      let node = startNode(port, dir);
      const url = `nats://127.0.0.1:${port}`;
      const stream = await retry(() => connect({ url, timeoutMs: 2000 }));
      try {
        const topicId = (await retry(() => stream.createTopic("river"))).topicId;
        await stream.publish("river", [{ data: 1 }, { data: 2 }]);
        const subscription = stream.subscribe("river", { group: "g" });
        expect(await subscription.topicId).toBe(topicId);
        for (const event of await take(subscription, 2)) await event.ack();
        await new Promise((resolve) => setTimeout(resolve, 200)); // acks go out without a confirmation

        await stopNode(node);
        node = startNode(port, dir);
        expect((await retry(() => stream.topicInfo("river"))).topicId).toBe(topicId);
        await retry(() => stream.publish("river", { data: 3 }, { timeoutMs: 1000, idempotencyKey: "3" }));
        const [third] = await take(subscription, 1, 15_000);
        expect(third).toMatchObject({ offset: 3, topicId });
        await third?.ack();

        // The same stream name on a node with another store, created there beforehand.
        const otherPort = await freePort();
        const otherDir = newDir();
        const other = startNode(otherPort, otherDir);
        const setup = await retry(() => connect({ url: `nats://127.0.0.1:${otherPort}`, timeoutMs: 2000 }));
        const otherId = (await retry(() => setup.createTopic("river"))).topicId;
        await setup.publish("river", [{ data: "a" }, { data: "b" }, { data: "c" }, { data: "d" }]);
        await setup.close();
        await stopNode(other);
        expect(otherId).not.toBe(topicId);

        await stopNode(node);
        node = startNode(port, otherDir);
        const error = await take(subscription, 1, 20_000).then(
          () => undefined,
          (failure: unknown) => failure as Error & { code: string },
        );
        expect(error).toMatchObject({ code: "WEIR_TOPIC_CHANGED", name: "TopicChangedError" });
        expect(error?.message).toContain(otherId);
      } finally {
        await stream.close();
      }
    }, 90_000);
  },
);
