import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort, probeNats, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connect } from "@weir/stream";
import type { Stream, StreamEvent, Subscription } from "@weir/stream";

const nats = await requireService("NATS JetStream", () => probeNats());
const NATS_SERVER = process.env.WEIR_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
/** A config file for the server this file starts, e.g. with `jetstream { sync_interval: always }` (docs/stream.md). */
const CONFIG_ARGS = process.env.WEIR_NATS_SERVER_CONFIG ? ["-c", process.env.WEIR_NATS_SERVER_CONFIG] : [];

const pendingNext = new WeakMap<Subscription, Promise<IteratorResult<StreamEvent>>>();

/**
 * Reads `count` events (without closing the subscription), failing after `timeoutMs`. A `next()` that
 * timed out is kept for the following call, so that no event is lost to it.
 */
async function take(subscription: Subscription, count: number, timeoutMs: number): Promise<StreamEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: StreamEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const next = pendingNext.get(subscription) ?? iterator.next();
    pendingNext.set(subscription, next);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      next,
      new Promise<"timeout">(
        (resolve) => (timer = setTimeout(() => resolve("timeout"), deadline - Date.now())),
      ),
    ]);
    clearTimeout(timer);
    if (result === "timeout")
      throw new Error(`received ${events.length} of ${count} events within ${timeoutMs} ms`);
    pendingNext.delete(subscription);
    if (result.done) break;
    events.push(result.value);
  }
  return events;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(nats.skip)("NATS subscriptions", () => {
  let stream: Stream;
  const topics: string[] = [];
  const unique = (label: string): string => {
    const topic = `${label}-${randomUUID().slice(0, 8)}`;
    topics.push(topic);
    return topic;
  };

  beforeAll(async () => {
    stream = await connect({ url: nats.value as string });
  });

  afterAll(async () => {
    for (const topic of topics) await stream?.deleteTopic(topic).catch(() => undefined);
    await stream?.close();
  });

  it("holds at most maxInFlight unacknowledged events and pulls more as they are acknowledged", async () => {
    const topic = unique("inflight");
    await stream.createTopic(topic);
    await stream.publish(
      topic,
      Array.from({ length: 40 }, (_, i) => ({ data: { i } })),
    );
    const subscription = stream.subscribe(topic, { group: "g", maxInFlight: 8 });
    const received: number[] = [];
    // An application that acknowledges only once it holds maxInFlight events (e.g. a batch writer).
    for (let batch = 0; batch < 5; batch++) {
      const events = await take(subscription, 8, 5000);
      await expect(take(subscription, 1, 300)).rejects.toThrow(/received 0 of 1/);
      received.push(...events.map((event) => event.json<{ i: number }>().i));
      for (const event of events) await event.ack();
    }
    expect(received).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await subscription.close();
  });

  it("gives an existing group the ack wait and delivery limit its members now ask for", async () => {
    const topic = unique("limits");
    await stream.createTopic(topic);
    await stream.publish(topic, { data: { i: 0 } });
    // A first member with a low limit: the JetStream consumer is created with it.
    const first = stream.subscribe(topic, { group: "g", maxDeliver: 2 });
    const [delivered] = await take(first, 1, 5000);
    await delivered!.nack({ delayMs: 0 });
    await first.close();
    // A later member asks for more deliveries: the event keeps coming back past the old limit.
    const second = stream.subscribe(topic, { group: "g", maxDeliver: 10 });
    let last: StreamEvent | undefined;
    while ((last?.deliveryCount ?? 0) < 5) {
      [last] = await take(second, 1, 5000);
      if (last!.deliveryCount < 5) await last!.nack({ delayMs: 0 });
    }
    await last!.ack();
    await second.close();
    await expect(stream.topicInfo(`${topic}.dead-letter`)).rejects.toThrow();
  });

  it("hands every event a closing member held to the next member within a second, each exactly once", async () => {
    const topic = unique("closing");
    await stream.createTopic(topic);
    const acks = await stream.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ data: { i } })),
    );
    const offsets = acks.map((ack) => ack.offset);
    // The default ackWaitMs (30 s): an event handed to the closed member's pull request would come
    // back only then. The member's pull request asks for more than 10 events, so it is still open.
    const a = stream.subscribe(topic, { group: "g" });
    expect((await take(a, 10, 5000)).map((event) => event.offset)).toEqual(offsets);
    await a.close();

    const other = await connect({ url: nats.value as string });
    const b = other.subscribe(topic, { group: "g" });
    const received: StreamEvent[] = [];
    const deadline = Date.now() + 1000;
    // Everything B receives within the second (a duplicate included).
    while (Date.now() < deadline) {
      const [event] = await take(b, 1, deadline - Date.now()).catch(() => []);
      if (!event) break;
      received.push(event);
    }
    for (const event of received) await event.ack();
    await b.close();
    await other.close();
    expect(received.map((event) => event.offset).sort((x, y) => x - y)).toEqual(offsets);
    expect(received.map((event) => event.deliveryCount)).toEqual(offsets.map(() => 2));
  });

  it("hands back what a closing member holds or is being sent, so that the next member gets it at once", async () => {
    const topic = unique("handback");
    await stream.createTopic(topic);
    const TOTAL = 1200;
    // A second connection keeps publishing while members of the group come and go, so that members
    // close while the server is sending to them.
    const publisher = await connect({ url: nats.value as string });
    const publishing = (async () => {
      for (let i = 0; i < TOTAL; i += 20) {
        await publisher.publish(
          topic,
          Array.from({ length: 20 }, (_, k) => ({ data: { i: i + k } })),
        );
        await sleep(10);
      }
    })();
    const acked: number[] = [];
    // An ack wait far beyond the test: an event lost in flight at a close would not come back in time.
    const options = { group: "members", ackWaitMs: 120_000, maxInFlight: 200 };
    for (let member = 0; member < 8; member++) {
      const subscription = stream.subscribe(topic, options);
      for (const event of await take(subscription, 100, 10_000)) {
        acked.push(event.offset);
        await event.ack();
      }
      await subscription.close();
    }
    await publishing;
    const last = stream.subscribe(topic, options);
    const seen = new Set(acked);
    while (seen.size < TOTAL) {
      const [event] = await take(last, 1, 10_000);
      if (!event) break;
      acked.push(event.offset);
      seen.add(event.offset);
      await event.ack();
    }
    await last.close();
    await publisher.close();
    expect(seen.size).toBe(TOTAL);
    // No event was acknowledged twice: nothing a member acknowledged was handed back or redelivered.
    expect(acked.length).toBe(TOTAL);
  });
});

describe.skipIf(!existsSync(NATS_SERVER))("NATS subscriptions across a server restart", () => {
  let node: ChildProcess | undefined;
  let stream: Stream | undefined;
  // Made when the test starts: a run that filters this test out leaves no folder behind.
  let dir = "";

  afterAll(async () => {
    await stream?.close().catch(() => undefined);
    node?.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (port: number): ChildProcess =>
    spawn(NATS_SERVER, [...CONFIG_ARGS, "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], {
      stdio: "ignore",
    });

  async function retry<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
  }

  it("keeps delivering to a group after the server restarts", async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-nats-restart-"));
    const port = await freePort();
    node = start(port);
    const client = await retry(() => connect({ url: `nats://127.0.0.1:${port}`, timeoutMs: 2000 }), 10_000);
    stream = client;
    const topic = `restart-${randomUUID().slice(0, 8)}`;
    await retry(() => client.createTopic(topic), 10_000);
    await client.publish(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ data: { i } })),
    );
    const subscription = client.subscribe(topic, { group: "g" });
    for (const event of await take(subscription, 5, 5000)) await event.ack();
    await sleep(200);

    node.kill("SIGKILL");
    await new Promise((resolve) => node?.once("exit", resolve));
    node = start(port);
    await retry(
      () =>
        client.publish(
          topic,
          Array.from({ length: 5 }, (_, i) => ({ data: { i: 5 + i } })),
          { timeoutMs: 1000, idempotencyKey: "after-restart" },
        ),
      15_000,
    );
    // The pull requests died with the server: the subscription must ask again by itself.
    const after = new Set<number>();
    while (after.size < 5) {
      const [event] = await take(subscription, 1, 8000);
      if (!event) break;
      const { i } = event.json<{ i: number }>();
      if (i >= 5) after.add(i);
      await event.ack();
    }
    expect([...after].sort()).toEqual([5, 6, 7, 8, 9]);
    await subscription.close();
  }, 60_000);
});
