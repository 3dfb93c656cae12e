import { randomUUID } from "node:crypto";

import { closeClient, configure, publishModel } from "@weir/flow";
import { BagOfWords, MultinomialNB, Pipeline } from "@weir/learn";
import { connect } from "@weir/stream";
import type { Stream } from "@weir/stream";
import { probePostgres, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SAMPLE_DATA } from "../src/component-args.js";
import { FeedbackLearner } from "../src/feedback-learner.js";
import type { FeedbackEvent, FeedbackLearnerState } from "../src/feedback-learner.js";
import type { Review } from "../src/reviews/review-record.js";
import { readReviews } from "../src/reviews/read-reviews.js";
import type { Component, TestServer } from "./app-processes.js";
import { api, startComponent, startTestServer, waitFor } from "./app-processes.js";

const postgres = await requireService("PostgreSQL", () => probePostgres());

const PREDICTIONS = 1000;
const LABELLED = 900;
const TWICE = 50;
const UNKNOWN = 50;
const KILL_MARKS = [120, 330, 560];

async function post(url: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/api${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Every event of `topic` from the start, in offset order, as JSON. */
async function readAll(stream: Stream, topic: string, count: number): Promise<FeedbackEvent[]> {
  const events: { offset: number; data: FeedbackEvent }[] = [];
  const reading = new AbortController();
  for await (const event of stream.subscribe(topic, { from: "earliest", signal: reading.signal })) {
    events.push({ offset: event.offset, data: event.json<FeedbackEvent>() });
    await event.ack();
    if (events.length === count) reading.abort();
  }
  return events.sort((a, b) => a.offset - b.offset).map((e) => e.data);
}

describe.each([
  { storage: "SQLite", skip: false, postgresUrl: undefined },
  { storage: "PostgreSQL", skip: postgres.skip, postgresUrl: postgres.value },
])("late labels on $storage, learned exactly once across SIGKILLs", ({ skip, postgresUrl }) => {
  let server: TestServer;
  const children: Component[] = [];
  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer({ postgresUrl });
    configure({ apiUrl: server.url, home: `${server.home}/client`, printLogs: false });
  });
  afterAll(async () => {
    if (skip) return;
    for (const child of children) child.child.kill("SIGKILL");
    await closeClient();
    await server.close();
  });

  it.skipIf(skip)(
    "stores each of 1,000 labels once in the feedback topic (twice posted: once; unknown: 404) and the learner learns each once",
    async () => {
      const name = `labels-${randomUUID().slice(0, 8)}`;
      const topic = `${name}.feedback`;
      const reviews: Review[] = [];
      for await (const record of readReviews(SAMPLE_DATA)) if (record.kind === "review") reviews.push(record);
      const model = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
      for (const review of reviews.slice(0, 100)) model.learnOne(review.text, review.sentiment);
      expect((await publishModel(name, model, { step: 100 })).version).toBe(1);

      // 1,000 predictions, in batches of 100.
      const asked = Array.from({ length: PREDICTIONS }, (_, i) => reviews[i % reviews.length]!);
      const predicted: { id: string; review: Review; label: unknown }[] = [];
      for (let i = 0; i < PREDICTIONS; i += 100) {
        const batch = asked.slice(i, i + 100);
        const answer = await post(server.url, `/models/${name}/predict`, {
          inputs: batch.map((r) => r.text),
        });
        expect(answer.status).toBe(200);
        const { predictions } = answer.body as { predictions: { id: string; label: unknown }[] };
        predictions.forEach((p, j) => predicted.push({ id: p.id, review: batch[j]!, label: p.label }));
      }
      expect(new Set(predicted.map((p) => p.id)).size).toBe(PREDICTIONS);

      // 1,000 labels: 900 predictions labelled, 50 of them twice, and 50 ids the server never gave.
      const labelled = shuffle([...predicted]).slice(0, LABELLED);
      const unknownIds = Array.from({ length: UNKNOWN }, () => randomUUID());
      const posts = shuffle([
        ...labelled.map((p) => ({ id: p.id, label: p.review.sentiment })),
        ...labelled.slice(0, TWICE).map((p) => ({ id: p.id, label: p.review.sentiment })),
        ...unknownIds.map((id) => ({ id, label: 1 })),
      ]);
      expect(posts).toHaveLength(1000);

      const env = { WEIR_API_URL: server.url, WEIR_HOME: `${server.home}/client`, WEIR_PRINT_LOGS: "0" };
      const learnerArgs = ["feedback", "--model-name", name, "--checkpoint-every", "50"];
      const startLearner = (): Component => {
        const child = startComponent(
          [...learnerArgs, "--checkpoint-interval-ms", "100", "--ack-wait-ms", "2000"],
          env,
        );
        children.push(child);
        return child;
      };
      let learner = startLearner();
      const stream = await connect({ url: server.url });
      await waitFor("the learner's topic", async () =>
        (await stream.listTopics()).some((t) => t.name === topic) ? true : undefined,
      );

      // Four clients post the labels, paced so that the learner is killed while they arrive.
      const answers: { status: number; body: unknown; id: string }[] = [];
      let next = 0;
      const posting = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < posts.length) {
            const label = posts[next++]!;
            answers.push({ ...(await post(server.url, `/models/${name}/labels`, label)), id: label.id });
            await new Promise((resolve) => setTimeout(resolve, 15));
          }
        }),
      );
      const acked = async (): Promise<{ acked: number; last: number }> => {
        const info = await stream.topicInfo(topic);
        const group = info.groups.find((g) => g.name === "feedback-learner");
        return { acked: group?.ackedOffset ?? 0, last: info.lastOffset };
      };
      const kills: { acked: number; last: number }[] = [];
      for (const mark of KILL_MARKS) {
        await waitFor(`the learner past label ${mark}`, async () =>
          (await acked()).acked >= mark ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
        learner.child.kill("SIGKILL");
        expect((await learner.exited).signal).toBe("SIGKILL");
        kills.push(await acked());
        learner = startLearner();
      }
      await posting;
      // Each kill left labels unacknowledged: the restarted learner had to restore and replay.
      expect(
        kills.filter((k) => k.acked < k.last),
        JSON.stringify(kills),
      ).toHaveLength(KILL_MARKS.length);

      // Labels: the first of each id stored (200), the second a duplicate (200), unknown ids a 404 naming the id.
      const byStatus = (status: number) => answers.filter((a) => a.status === status);
      expect(byStatus(404)).toHaveLength(UNKNOWN);
      for (const missing of byStatus(404)) expect(JSON.stringify(missing.body)).toContain(missing.id);
      const ok = byStatus(200);
      expect(ok).toHaveLength(LABELLED + TWICE);
      expect(ok.filter((a) => (a.body as { duplicate: boolean }).duplicate)).toHaveLength(TWICE);

      const info = await stream.topicInfo(topic);
      expect(info.eventCount).toBe(LABELLED);
      const key = encodeURIComponent(`feedback-learner:${topic}`);
      const checkpoint = await waitFor(
        "a checkpoint covering every label",
        async () => {
          const entry = await api<{ value: { lastOffset: number; state: FeedbackLearnerState } }>(
            server.url,
            `/checkpoints/run-yelp-feedback-learner/${key}`,
          );
          return entry.value.lastOffset >= info.lastOffset ? entry.value : undefined;
        },
        60_000,
      );
      learner.child.kill("SIGINT");
      await learner.exited;
      expect(learner.output()).not.toMatch(/error|failed/i);

      // The topic holds each label once: the 900 labelled predictions, joined with what was served.
      const feedback = await readAll(stream, topic, LABELLED);
      await stream.close();
      expect(new Set(feedback.map((f) => f.id))).toEqual(new Set(labelled.map((p) => p.id)));
      const byId = new Map(predicted.map((p) => [p.id, p]));
      for (const event of feedback) {
        const served = byId.get(event.id)!;
        expect([event.input, event.label, event.prediction, event.version]).toEqual([
          served.review.text,
          served.review.sentiment,
          served.label,
          1,
        ]);
      }
      // The learner's state is exactly that of one pass over the topic: no label learned twice or missed.
      const reference = new FeedbackLearner();
      for (const event of feedback) reference.learn(event, Number(event.label));
      expect(checkpoint.state.labels).toBe(LABELLED);
      expect(JSON.parse(JSON.stringify(checkpoint.state))).toEqual(
        JSON.parse(JSON.stringify(reference.toJSON())),
      );
    },
    120_000,
  );
});
