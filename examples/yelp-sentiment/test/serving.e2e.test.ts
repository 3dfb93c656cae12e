import { randomUUID } from "node:crypto";

import type { ModelVersion } from "@weir/flow";
import { Pipeline } from "@weir/learn";
import { connect } from "@weir/stream";
import { probePostgres, probeSharedFile, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Review } from "../src/reviews/review-record.js";
import { readReviews } from "../src/reviews/read-reviews.js";
import type { Component, TestServer } from "./app-processes.js";
import { api, countLogs, startComponent, startTestServer, waitFor } from "./app-processes.js";

const yelp20k = await requireService("shared data/yelp-20k.csv", () => probeSharedFile("data/yelp-20k.csv"));
const postgres = await requireService("PostgreSQL", () => probePostgres());

const CLIENTS = 4;
const PUBLISH_EVERY = 2000;

/** One answer of `POST /api/models/:name/predict`, as a client saw it. */
interface Answer {
  readonly text: string;
  readonly receivedAt: number;
  readonly version: number;
  readonly label: unknown;
  readonly probabilities: Record<string, number>;
}

/** A client on its own keep-alive connection, predicting texts in a loop until `stop`; failures counted. */
async function predictLoop(
  url: string,
  model: string,
  texts: readonly string[],
  stop: AbortSignal,
): Promise<{ answers: Answer[]; failures: string[] }> {
  const answers: Answer[] = [];
  const failures: string[] = [];
  while (!stop.aborted) {
    const text = texts[Math.floor(Math.random() * texts.length)]!;
    try {
      const response = await fetch(`${url}/api/models/${model}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: text }),
      });
      const body = (await response.json()) as {
        version: number;
        predictions: { label: unknown; probabilities: Record<string, number> }[];
      };
      if (response.status !== 200) failures.push(`${response.status}: ${JSON.stringify(body)}`);
      else {
        const [prediction] = body.predictions;
        answers.push({ text, receivedAt: Date.now(), version: body.version, ...prediction! });
      }
    } catch (error) {
      failures.push(String(error));
    }
  }
  return { answers, failures };
}

/** `predictProbaOne` as the server answers it: a record keyed by the class as a string. */
function probabilities(model: Pipeline<string>, text: string): Record<string, number> {
  return Object.fromEntries([...model.predictProbaOne(text)].map(([label, p]) => [String(label), p]));
}

describe.each([
  { storage: "SQLite", skip: yelp20k.skip, postgresUrl: undefined },
  { storage: "PostgreSQL", skip: yelp20k.skip || postgres.skip, postgresUrl: postgres.value },
])(
  "serving the model the subscriber publishes while it learns yelp-20k.csv ($storage)",
  ({ skip, postgresUrl }) => {
    let server: TestServer;
    let subscriber: Component | undefined;
    beforeAll(async () => {
      if (!skip) server = await startTestServer({ postgresUrl });
    });
    afterAll(async () => {
      if (skip) return;
      subscriber?.child.kill("SIGKILL");
      await server.close();
    });

    it.skipIf(skip)(
      "answers every request of 4 clients from a version that existed, each equal to that version's checkpoint restored",
      async () => {
        const reviews: Review[] = [];
        for await (const record of readReviews(yelp20k.value!))
          if (record.kind === "review") reviews.push(record);
        expect(reviews).toHaveLength(20_000);
        const suffix = randomUUID().slice(0, 8);
        const topic = `serving_reviews_${suffix}`;
        const model = `serving-${suffix}`;
        const stream = await connect({ url: server.url });
        await stream.ensureTopic(topic);
        const publish = async (from: number, to: number, pauseMs: number): Promise<void> => {
          for (let i = from; i < to; i += 250) {
            const batch = reviews.slice(i, Math.min(to, i + 250));
            await stream.publish(
              topic,
              batch.map((review, j) => ({
                data: { text: review.text, sentiment: review.sentiment, line: review.line },
                idempotencyKey: `serving:${i + j}`,
              })),
            );
            if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          }
        };
        const startSubscriber = (): Component =>
          startComponent(
            [
              "subscribe",
              "--input-topic",
              topic,
              "--metrics-topic",
              `serving_metrics_${suffix}`,
              "--model-name",
              model,
              "--publish-every",
              String(PUBLISH_EVERY),
              "--checkpoint-every",
              "500",
              "--checkpoint-interval-ms",
              "200",
            ],
            { WEIR_API_URL: server.url, WEIR_HOME: `${server.home}/client`, WEIR_PRINT_LOGS: "0" },
          );
        const key = encodeURIComponent(`sentiment-model:${topic}`);
        const learned = (count: number): Promise<true> =>
          waitFor(
            `a checkpoint covering ${count} reviews`,
            async () => {
              const entry = await api<{ value: { lastOffset: number } }>(
                server.url,
                `/checkpoints/run-yelp-data-subscriber/${key}`,
              );
              return entry.value.lastOffset >= count ? true : undefined;
            },
            90_000,
          );
        subscriber = startSubscriber();
        // The clients start once there is a model to ask (before, predict is a 404: no such model).
        await publish(0, PUBLISH_EVERY, 0);
        await waitFor(
          "version 1",
          () => api<ModelVersion>(server.url, `/models/${model}/versions/1`),
          60_000,
        );

        const stop = new AbortController();
        const texts = reviews.map((review) => review.text);
        const clients = Array.from({ length: CLIENTS }, () =>
          predictLoop(server.url, model, texts, stop.signal),
        );
        // The stream at about 5,000 reviews/s: a new version every ~0.4 s while the clients ask. After
        // 9,000 reviews (not a multiple of 2,000) the subscriber is stopped (Ctrl-C): it publishes the
        // model it stops with. Started again, it resumes from its checkpoint and goes on publishing new
        // versions, while the server keeps serving the last one.
        const HALF = 9000;
        await publish(PUBLISH_EVERY, HALF, 50);
        await learned(HALF);
        subscriber.child.kill("SIGINT");
        await subscriber.exited;
        const beforeRestart = await api<{ latestVersion: number }>(server.url, `/models/${model}`);
        subscriber = startSubscriber();
        await publish(HALF, reviews.length, 50);
        await learned(reviews.length);
        subscriber.child.kill("SIGINT");
        await subscriber.exited;
        await new Promise((resolve) => setTimeout(resolve, 300));
        stop.abort();
        const results = await Promise.all(clients);
        await stream.close();

        expect(results.flatMap((r) => r.failures)).toEqual([]);
        const answers = results.flatMap((r) => r.answers);
        const detail = await api<{ versions: ModelVersion[] }>(server.url, `/models/${model}`);
        const versions = new Map(detail.versions.map((v) => [v.version, v]));
        // Numbered 1, 2, …: a version at the first checkpoint at or past each multiple of 2,000 reviews
        // (one that covers several multiples, as when a restarted subscriber catches up with a backlog,
        // makes one), and one when the subscriber stopped after 9,000.
        const published = [...versions.values()].sort((a, b) => a.version - b.version);
        expect(published.map((v) => v.version)).toEqual(published.map((_, i) => i + 1));
        const steps = published.map((v) => v.step!);
        expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
        steps.forEach((step, i) => {
          const crossed = Math.floor(step / PUBLISH_EVERY) > Math.floor((steps[i - 1] ?? 0) / PUBLISH_EVERY);
          expect(
            crossed || step === HALF,
            `version ${i + 1} at step ${step} (steps ${steps.join(", ")})`,
          ).toBe(true);
        });
        const runs = await api<{ items: { id: string }[] }>(
          server.url,
          "/runs?flow=run-yelp-data-subscriber",
        );
        expect(runs.items).toHaveLength(2);
        for (const run of runs.items)
          expect(await countLogs(server.url, run.id, "Could not publish")).toBe(0);
        expect(new Set(published.map((v) => v.runId))).toEqual(new Set(runs.items.map((run) => run.id)));
        expect(published.at(-1)!.step).toBe(20_000);
        // The stopped subscriber published its last model; the restarted one numbered on from there.
        expect(published.find((v) => v.version === beforeRestart.latestVersion)!.step).toBe(HALF);
        expect(published.length).toBeGreaterThan(beforeRestart.latestVersion);
        const answered = new Set(answers.map((a) => a.version));
        expect(answered.size, `versions that answered: ${[...answered].join(", ")}`).toBeGreaterThanOrEqual(
          5,
        );
        // Every answer names a version that existed when it was given.
        for (const answer of answers) {
          const version = versions.get(answer.version);
          expect(version, `version ${answer.version}`).toBeDefined();
          expect(Date.parse(version!.createdAt)).toBeLessThanOrEqual(answer.receivedAt);
        }
        // The answers of version N are those of its checkpoint restored here, bit for bit.
        let compared = 0;
        for (const number of answered) {
          const restored = Pipeline.fromJSON<string>(
            await api<unknown>(server.url, `/models/${model}/versions/${number}/checkpoint`),
          );
          for (const answer of answers.filter((a) => a.version === number)) {
            const expected = probabilities(restored, answer.text);
            expect(Object.keys(answer.probabilities).sort()).toEqual(Object.keys(expected).sort());
            for (const [label, p] of Object.entries(expected)) {
              if (!Object.is(answer.probabilities[label], p))
                throw new Error(
                  `version ${number}, "${answer.text}": P(${label}) ${answer.probabilities[label]} ≠ ${p}`,
                );
            }
            expect(answer.label).toEqual(restored.predictOne(answer.text));
            compared += 1;
          }
        }
        expect(compared).toBe(answers.length);

        expect(answers.length).toBeGreaterThan(1000);
      },
      240_000,
    );
  },
);
