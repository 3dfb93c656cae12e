import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { jetstreamManager } from "@nats-io/jetstream";
import { connect as natsConnect } from "@nats-io/transport-node";
import { connect } from "@weir/stream";
import type { PublishAck, Stream, StreamError, StreamEvent } from "@weir/stream";
import { freePort, requireService } from "@weir/test-support";
import { afterAll, describe, expect, it } from "vitest";

const NATS_SERVER = process.env.WEIR_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
/** A config file for every node, e.g. with `jetstream { sync_interval: always }` (docs/stream.md). */
const CONFIG_ARGS = process.env.WEIR_NATS_SERVER_CONFIG ? ["-c", process.env.WEIR_NATS_SERVER_CONFIG] : [];
const binary = await requireService("nats-server binary", () =>
  Promise.resolve(
    existsSync(NATS_SERVER)
      ? { ok: true as const, value: NATS_SERVER }
      : { ok: false as const, reason: `${NATS_SERVER} does not exist (apt-get install nats-server)` },
  ),
);

async function retryUntil<T>(what: string, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe.skipIf(binary.skip)("NATS backend on a 3-node JetStream cluster", () => {
  const nodes: ChildProcess[] = [];
  const dirs: string[] = [];
  let stream: Stream | undefined;

  afterAll(async () => {
    await stream?.close().catch(() => undefined);
    for (const node of nodes) node.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("loses no acknowledged event and keeps publishing when a node is killed", async () => {
    // Six distinct ports: two nodes given the same one would leave the cluster a peer short.
    const ports = new Set<number>();
    while (ports.size < 6) ports.add(await freePort());
    const [clientPorts, routePorts] = [[...ports].slice(0, 3), [...ports].slice(3)];
    const logs = ["", "", ""];
    const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(",");
    for (let n = 0; n < 3; n++) {
      const dir = mkdtempSync(join(tmpdir(), `weir-nats-${n}-`));
      dirs.push(dir);
      const node = spawn(
        binary.value as string,
        [
          ...CONFIG_ARGS,
          "-a",
          "127.0.0.1",
          "-p",
          String(clientPorts[n]),
          "-n",
          `weir-test-${n}`,
          "-js",
          "-sd",
          dir,
          "--cluster_name",
          "weir-test",
          "--cluster",
          `nats://127.0.0.1:${routePorts[n]}`,
          "--routes",
          routes,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      // The last lines each node logged, shown if the cluster does not form.
      node.stderr?.on("data", (chunk: Buffer) => (logs[n] = (logs[n] + chunk.toString()).slice(-2000)));
      nodes.push(node);
    }
    const url = clientPorts.map((port) => `nats://127.0.0.1:${port}`).join(",");
    stream = await retryUntil("connect", () => connect({ url, timeoutMs: 5000 }), 20_000);
    const client = stream;
    const topic = `cluster-${Date.now()}`;
    // A fresh cluster places an R3 stream only once its meta group knows all three peers; with
    // `sync_interval: always` (CI's second run) that can take longer than on defaults.
    await retryUntil("create an R3 topic", () => client.ensureTopic(topic, { replicas: 3 }), 60_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${logs.map((log, n) => `node ${n}:\n${log}`).join("\n")}`, {
          cause: error,
        });
      },
    );

    // Kill the stream's leader, so that the cluster must elect a new one while we publish.
    const admin = await natsConnect({ servers: url.split(",") });
    const streams = await jetstreamManager(admin);
    const leaderName = (await streams.streams.info(`WEIR_${topic}`)).cluster?.leader ?? "weir-test-0";
    await admin.close();
    const leader = Number(leaderName.replace("weir-test-", ""));

    const TOTAL = 3000;
    const BATCH = 100;
    const acks = new Map<number, PublishAck>();
    let killedAt = -1;
    let retries = 0;
    for (let start = 0; start < TOTAL; start += BATCH) {
      if (killedAt < 0 && start >= 1000) {
        nodes[leader]?.kill("SIGKILL");
        killedAt = acks.size;
      }
      const batch = Array.from({ length: BATCH }, (_, k) => ({
        data: { i: start + k },
        idempotencyKey: `c-${start + k}`,
      }));
      for (;;) {
        try {
          const got = await client.publish(topic, batch, { timeoutMs: 3000 });
          got.forEach((ack, k) => acks.set(start + k, ack));
          break;
        } catch (error) {
          if ((error as StreamError).retryable !== true) throw error;
          retries++;
          if (retries > 200) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }
    expect(killedAt).toBe(1000);
    expect(acks.size).toBe(TOTAL);

    const info = await retryUntil("topic info", () => client.topicInfo(topic), 10_000);
    expect(info.eventCount).toBe(TOTAL);
    const reader = client.subscribe(topic, { from: "earliest", maxInFlight: 1000 });
    const iterator = reader[Symbol.asyncIterator]();
    const seen = new Map<number, StreamEvent>();
    while (seen.size < TOTAL) {
      const next = await iterator.next();
      if (next.done) break;
      const { i } = next.value.json<{ i: number }>();
      expect(seen.has(i)).toBe(false);
      seen.set(i, next.value);
      await next.value.ack();
    }
    await reader.close();
    for (const [i, ack] of acks) expect(seen.get(i)?.offset).toBe(ack.offset);
    console.info(
      `cluster test: stream leader ${leaderName} killed after ${killedAt} acks, ${retries} batch publish(es) retried`,
    );
  }, 90_000);
});
