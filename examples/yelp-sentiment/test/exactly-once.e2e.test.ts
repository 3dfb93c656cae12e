import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { connect, deadLetterTopic } from "@weir/stream";
import { probeNats, probeSharedFile, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SubscriberCheckpoint } from "../src/learn-from-stream.js";
import { publishReviews } from "../src/publish-reviews.js";
import { readReviews } from "../src/reviews/read-reviews.js";
import { SentimentModel } from "../src/sentiment-model.js";
import type { Component, TestServer } from "./app-processes.js";
import { api, readMetrics, startComponent, startScript, startTestServer, waitFor } from "./app-processes.js";

const yelp20k = await requireService("shared data/yelp-20k.csv", () => probeSharedFile("data/yelp-20k.csv"));
const nats = await requireService("NATS JetStream", () => probeNats());

const KILLS = 5;

/** The uninterrupted run, computed in this process: the final model and every metrics triple. */
async function reference(
  path: string,
): Promise<{ model: SentimentModel; metrics: [number, number, number][] }> {
  const model = new SentimentModel();
  const metrics: [number, number, number][] = [];
  for await (const record of readReviews(path)) {
    if (record.kind !== "review") throw new Error(`line ${record.line}: ${record.reason}`);
    const step = model.step(record.text, record.sentiment);
    metrics.push([step.precision, step.recall, step.n]);
  }
  return { model, metrics };
}

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  /** `undefined`: the embedded log of the test's Weir server. */
  readonly streamUrl: string | undefined;
}

const backends: Backend[] = [
  { name: "embedded", skip: yelp20k.skip, streamUrl: undefined },
  { name: "NATS", skip: yelp20k.skip || nats.skip, streamUrl: nats.value },
];

/** A model subscriber program: started on the test's topics, killed, started again. */
interface Subscriber {
  readonly name: string;
  /** The flow it runs, whose name scopes its checkpoint. */
  readonly flowName: string;
  start(topics: { pipeline: string; metrics: string }, env: NodeJS.ProcessEnv): Component;
}

const MINIMAL_SUBSCRIBER = fileURLToPath(new URL("./minimal-subscriber.ts", import.meta.url));

const subscribers: Subscriber[] = [
  {
    name: "the reference application (weir example yelp subscribe)",
    flowName: "run-yelp-data-subscriber",
    start: (topics, env) =>
      startComponent(
        [
          "subscribe",
          "--input-topic",
          topics.pipeline,
          "--metrics-topic",
          topics.metrics,
          "--checkpoint-every",
          "500",
          "--checkpoint-interval-ms",
          "200",
          "--ack-wait-ms",
          "2000",
        ],
        env,
      ),
  },
  {
    name: "the minimal subscriber written with consume() (test/minimal-subscriber.ts)",
    flowName: "minimal-subscriber",
    start: (topics, env) => startScript(MINIMAL_SUBSCRIBER, [topics.pipeline, topics.metrics], env),
  },
];

describe("the minimal subscriber", () => {
  it("is a model subscriber in at most 20 lines of code (blank lines and comments not counted)", () => {
    const code = readFileSync(MINIMAL_SUBSCRIBER, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));
    expect(code.length, code.join("\n")).toBeLessThanOrEqual(20);
    expect(code.join("\n")).toContain("await consume({");
  });
});

describe.each(backends)("exactly-once learning under SIGKILL on the $name backend", (backend) => {
  let server: TestServer;
  const children: Component[] = [];
  const created: string[] = [];
  beforeAll(async () => {
    if (backend.skip) return;
    server = await startTestServer();
  });
  afterAll(async () => {
    if (backend.skip || server === undefined) return;
    for (const child of children) child.child.kill("SIGKILL");
    if (backend.streamUrl !== undefined) {
      const stream = await connect({ url: backend.streamUrl });
      for (const topic of created) await stream.deleteTopic(topic).catch(() => undefined);
      await stream.close();
    }
    await server.close();
  });

  it.skipIf(backend.skip).each(subscribers)(
    "$name ends with the model, confusion matrix and metrics of an uninterrupted run after five SIGKILLs",
    async (subscriber) => {
      // Unique topics, so runs on a shared NATS server never see each other's events.
      const suffix = randomUUID().slice(0, 8);
      const pipelineTopic = `river_pipeline_${suffix}`;
      const metricsTopic = `river_metrics_${suffix}`;
      created.push(pipelineTopic, metricsTopic, deadLetterTopic(pipelineTopic));
      const expected = await reference(yelp20k.value!);
      const stream = await connect({ url: backend.streamUrl ?? server.url });
      await stream.ensureTopic(pipelineTopic);
      await stream.ensureTopic(metricsTopic);
      const published = await publishReviews({
        stream,
        path: yelp20k.value!,
        topic: pipelineTopic,
        keyPrefix: "once",
      });
      expect(published.published).toBe(20_000);

      const env = {
        WEIR_API_URL: server.url,
        WEIR_HOME: `${server.home}/client`,
        WEIR_PRINT_LOGS: "0",
        ...(backend.streamUrl === undefined ? {} : { WEIR_STREAM_URL: backend.streamUrl }),
      };
      const start = (): Component => {
        const component = subscriber.start({ pipeline: pipelineTopic, metrics: metricsTopic }, env);
        children.push(component);
        return component;
      };
      // Kill points: random progress marks (in metrics published) spread over the first 60% of the
      // stream. A restarted subscriber with the whole topic waiting runs at 30,000–60,000 events/s on
      // the embedded log (less on NATS), so the progress is polled every few milliseconds and the
      // random delay is short: the kill lands at most a few thousand events after its mark, far
      // enough from the end that every kill interrupts unfinished work.
      const marks = Array.from(
        { length: KILLS },
        (_, i) => Math.floor(((i + Math.random()) / KILLS) * 11_500) + 500,
      );
      const killedAt: { metrics: number; acked: number }[] = [];
      for (const mark of marks) {
        const running = start();
        const deadline = Date.now() + 60_000;
        let count = 0;
        while ((count = (await stream.topicInfo(metricsTopic)).eventCount) < mark) {
          if (Date.now() > deadline)
            throw new Error(`the subscriber never passed ${mark} metrics (at ${count})`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        // A random extra delay, so the kill lands anywhere relative to checkpoints (every 500 events).
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        running.child.kill("SIGKILL");
        expect((await running.exited).signal).toBe("SIGKILL");
        const group = (await stream.topicInfo(pipelineTopic)).groups.find(
          (g) => g.name === "sentiment-model",
        );
        expect(group, "the subscriber's consumer group").toBeDefined();
        killedAt.push({ metrics: count, acked: group!.ackedOffset });
      }
      // Each kill left work unacknowledged: the restarted process had to restore and replay.
      expect(
        killedAt.filter((kill) => kill.acked < published.lastOffset),
        `kills (metrics published, offset acknowledged): ${JSON.stringify(killedAt)}`,
      ).toHaveLength(KILLS);

      const last = start();
      const key = encodeURIComponent(`sentiment-model:${pipelineTopic}`);
      let lastSeen = 0;
      const checkpoint = await waitFor(
        "a checkpoint covering the whole topic",
        async () => {
          const entry = await api<{ value: SubscriberCheckpoint }>(
            server.url,
            `/checkpoints/${subscriber.flowName}/${key}`,
          );
          lastSeen = entry.value.lastOffset;
          return entry.value.lastOffset >= published.lastOffset ? entry.value : undefined;
        },
        90_000,
      ).catch((error: unknown) => {
        throw new Error(
          `${(error as Error).message}: the last checkpoint covers offset ${lastSeen} of ` +
            `${published.lastOffset}; kills ${JSON.stringify(killedAt)}; the subscriber printed:\n` +
            last.output().slice(-4000),
        );
      });
      last.child.kill("SIGINT");
      await last.exited;
      expect(last.output()).not.toMatch(/error|failed/i);
      // Held-back and replayed reviews were never given up on as undeliverable.
      const topics = (await stream.listTopics()).map((topic) => topic.name);
      expect(topics).not.toContain(deadLetterTopic(pipelineTopic));

      // The model state (naive Bayes counts, confusion matrix, report) is exactly the uninterrupted one.
      const restored = SentimentModel.fromJSON(checkpoint.state);
      expect(restored.count).toBe(20_000);
      expect(JSON.parse(JSON.stringify(restored.toJSON()))).toEqual(
        JSON.parse(JSON.stringify(expected.model.toJSON())),
      );
      expect(restored.cm.toString()).toBe(expected.model.cm.toString());

      // river_metrics holds one event per source offset, and the sequence by offset is the uninterrupted one.
      expect((await stream.topicInfo(metricsTopic)).eventCount).toBe(20_000);
      const metrics = await readMetrics(stream, metricsTopic, 20_000);
      await stream.close();
      const offsets = metrics.map((m) => m.offset);
      expect(new Set(offsets).size).toBe(20_000);
      metrics.sort((a, b) => a.offset - b.offset);
      expect(metrics.map((m) => [m.precision, m.recall, m.n])).toEqual(expected.metrics);
    },
    180_000,
  );
});
