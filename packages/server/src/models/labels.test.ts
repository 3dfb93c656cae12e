import { feedbackEventSchema, feedbackMetricsSchema, labelsAnswerSchema } from "@weir/protocol";
import type { FeedbackEvent, LabelsAnswer, Page, TopicEvent } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { publish, reviews, trainedModel } from "../../test/models.js";

/** Every event of a topic, read back through the REST topic API. */
async function topicEvents(server: TestServer, topic: string): Promise<TopicEvent[]> {
  const events: TopicEvent[] = [];
  for (let from: string | null = "0"; from !== null;) {
    const page: Page<TopicEvent> = await server.json(
      "GET",
      `/api/topics/${topic}/events?from=${from}&limit=500`,
    );
    events.push(...page.items);
    from = page.nextCursor;
  }
  return events;
}

describe.each(BACKENDS)("late labels on $name", ({ name: backend, skip }) => {
  let server: TestServer;
  const samples = reviews();

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(backend);
    await publish(server, "sentiment", trainedModel(100));
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(skip)(
    "publishes 1,000 labels to the feedback topic once each, posted twice or not, and 404s unknown ids",
    async () => {
      // 1,000 predictions: 900 in batches, 100 one by one; labels follow at once (many still buffered).
      const predicted: { id: string; label: unknown; text: string; truth: number }[] = [];
      for (let i = 0; i < 1000;) {
        const n = i < 900 ? 100 : 1;
        const batch = Array.from({ length: n }, (_, k) => samples[(i + k) % samples.length]!);
        const body = n === 1 ? { input: batch[0]!.text } : { inputs: batch.map((s) => s.text) };
        const answer = await server.json<{ predictions: { id: string; label: unknown }[] }>(
          "POST",
          "/api/models/sentiment/predict",
          body,
        );
        answer.predictions.forEach((p, k) =>
          predicted.push({ id: p.id, label: p.label, text: batch[k]!.text, truth: batch[k]!.label }),
        );
        i += n;
      }
      const post = (labels: { id: string; label: number }[]) =>
        server.call("POST", "/api/models/sentiment/labels", labels.length === 1 ? labels[0] : { labels });

      // A batch with one unknown id is refused whole, naming it.
      const stranger = uuid();
      const mixed = await post([
        { id: predicted[0]!.id, label: predicted[0]!.truth },
        { id: stranger, label: 1 },
      ]);
      expect(mixed.status).toBe(404);
      expect(JSON.stringify(mixed.body)).toContain(stranger);
      for (let k = 0; k < 20; k++) expect((await post([{ id: uuid(), label: 0 }])).status).toBe(404);

      const answers: LabelsAnswer[] = [];
      for (let i = 0; i < 1000; i += 50) {
        const chunk = predicted.slice(i, i + 50).map((p) => ({ id: p.id, label: p.truth }));
        const res = await post(chunk);
        expect(res.status).toBe(200);
        answers.push(labelsAnswerSchema.parse(res.body));
      }
      expect(answers.flatMap((a) => a.results).filter((r) => r.duplicate)).toEqual([]);
      // 150 labels posted again (one by one and in a batch; some with another label): duplicates.
      for (const p of predicted.slice(0, 50)) {
        const again = await post([{ id: p.id, label: p.truth }]);
        expect(again.body).toMatchObject({ duplicate: true });
      }
      const repeat = labelsAnswerSchema.parse(
        (await post(predicted.slice(100, 200).map((p) => ({ id: p.id, label: 1 - p.truth })))).body,
      );
      expect(repeat.duplicate).toBe(true);

      const events = await topicEvents(server, "sentiment.feedback");
      expect(events).toHaveLength(1000);
      const feedback = events.map((e) => JSON.parse(e.data) as FeedbackEvent);
      const byId = new Map(feedback.map((f) => [f.id, f]));
      expect(byId.size).toBe(1000);
      for (const p of predicted) {
        const event = feedbackEventSchema.parse(byId.get(p.id));
        expect(event).toMatchObject({
          model: "sentiment",
          version: 1,
          input: p.text,
          prediction: p.label,
          label: p.truth,
        });
      }

      const metrics = feedbackMetricsSchema.parse(
        await server.json("GET", "/api/models/sentiment/feedback-metrics?windowMs=600000"),
      );
      const correct = predicted.filter((p) => p.label === p.truth).length;
      expect(metrics.byVersion["1"]).toMatchObject({ count: 1000, accuracy: correct / 1000 });
      expect(metrics.points.reduce((n, p) => n + p.count, 0)).toBe(1000);
      const summary = await server.json<{ stats: { labels: number; predictions: number } }>(
        "GET",
        "/api/models/sentiment",
      );
      expect(summary.stats).toMatchObject({ labels: 1000, predictions: 1000 });
    },
  );
});

describe("the retention window of predictions", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer("sqlite", { predictionRetentionMs: 1000 });
    await publish(server, "short", trainedModel(20));
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses a label that comes after the window with a 404 naming the id", async () => {
    const answer = await server.json<{ predictions: { id: string }[] }>("POST", "/api/models/short/predict", {
      input: "great",
    });
    const id = answer.predictions[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const late = await server.call("POST", "/api/models/short/labels", { id, label: 1 });
    expect(late.status).toBe(404);
    expect(JSON.stringify(late.body)).toContain(id);
    expect(JSON.stringify(late.body)).toContain("retention window");
  });
});
