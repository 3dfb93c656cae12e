import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { startServer } from "@weir/server";
import { repoRoot } from "@weir/test-support";
import { afterAll, describe, expect, it } from "vitest";

import { connect } from "./index.js";
import type { PublishAck, StreamError, StreamEvent, Subscription } from "./index.js";

const serverEntry = pathToFileURL(join(repoRoot, "packages/server/dist/index.js")).href;

/** Runs the Weir server in a child process (so that it can be SIGKILLed) and resolves with its URL. */
function spawnServer(port: number, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const code = `const { startServer } = await import(${JSON.stringify(serverEntry)});
const server = await startServer({ port: ${port}, dataDir: ${JSON.stringify(dataDir)} });
console.log("READY " + server.url);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Reads and acknowledges `count` events. */
async function takeAndAck(subscription: Subscription, count: number): Promise<StreamEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const events: StreamEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
    await next.value.ack();
  }
  return events;
}

describe("embedded backend", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a client without the server's API key with a typed error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-stream-key-"));
    dirs.push(dir);
    const server = await startServer({ port: 0, dataDir: dir, apiKey: "k3y" });
    try {
      const refused = (await connect({ url: server.url, apiKey: "", timeoutMs: 2000 }).catch(
        (e: unknown) => e,
      )) as StreamError;
      expect(refused.code).toBe("WEIR_UNAUTHORIZED");
      expect(refused.message).toMatch(/refused the connection \(401\).*WEIR_API_KEY/);
      const stream = await connect({ url: server.url, apiKey: "k3y" });
      await stream.ensureTopic("keyed");
      expect((await stream.publish("keyed", { data: 1 })).offset).toBe(1);
      await stream.close();
    } finally {
      await server.close();
    }
  });

  it("keeps every acknowledged event exactly once and resumes a group when the server is SIGKILLed mid-publish", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-stream-crash-"));
    dirs.push(dir);
    let server = await spawnServer(0, dir);
    children.push(server.child);
    const port = Number(new URL(server.url).port);
    const stream = await connect({ url: server.url, timeoutMs: 20_000 });
    await stream.createTopic("crash");

    // A group consumes and acknowledges the first 3,000 events before the crash.
    await stream.publish(
      "crash",
      Array.from({ length: 3000 }, (_, i) => ({ data: { i }, idempotencyKey: `ev-${i}` })),
    );
    const consumer = await connect({ url: server.url });
    const before = consumer.subscribe("crash", { group: "model", maxInFlight: 500 });
    await takeAndAck(before, 3000);
    await consumer.close();

    const TOTAL = 20_000;
    const BATCH = 250;
    const acks = new Map<number, PublishAck>();
    let retries = 0;
    let killed = false;
    const publishBatch = async (start: number): Promise<void> => {
      const batch = Array.from({ length: Math.min(BATCH, TOTAL - start) }, (_, k) => ({
        data: { i: start + k },
        idempotencyKey: `ev-${start + k}`,
      }));
      for (;;) {
        try {
          const got = await stream.publish("crash", batch);
          got.forEach((ack, k) => acks.set(start + k, ack));
          return;
        } catch (error) {
          if ((error as StreamError).retryable !== true) throw error;
          retries++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    // Four publishers keep batches in flight while the server is killed and restarted.
    let next = 3000;
    const publisher = async (): Promise<void> => {
      while (next < TOTAL) {
        const start = next;
        next += BATCH;
        await publishBatch(start);
      }
    };
    const crasher = async (): Promise<void> => {
      while (acks.size < 6000) await new Promise((resolve) => setTimeout(resolve, 1));
      server.child.kill("SIGKILL");
      killed = true;
      server = await spawnServer(port, dir);
      children.push(server.child);
    };
    await Promise.all([publisher(), publisher(), publisher(), publisher(), crasher()]);
    expect(killed).toBe(true);
    expect(acks.size).toBe(TOTAL - 3000);

    const info = await stream.topicInfo("crash");
    expect(info).toMatchObject({ eventCount: TOTAL, firstOffset: 1, lastOffset: TOTAL });
    expect(info.groups).toContainEqual(expect.objectContaining({ name: "model", ackedOffset: 3000 }));

    const resumed = stream.subscribe("crash", { group: "model", maxInFlight: 2000 });
    const rest = await takeAndAck(resumed, TOTAL - 3000);
    expect(rest[0]?.offset).toBe(3001);
    const seen = new Set<number>();
    for (const event of rest) {
      const { i } = event.json<{ i: number }>();
      expect(seen.has(i)).toBe(false);
      seen.add(i);
      expect(acks.get(i)?.offset).toBe(event.offset);
    }
    expect(seen.size).toBe(TOTAL - 3000);
    await stream.close();
    const duplicates = [...acks.values()].filter((ack) => ack.duplicate).length;
    console.info(
      `crash test: ${retries} batch publish(es) retried after SIGKILL, ${duplicates} answered as duplicates`,
    );
  }, 90_000);
});
