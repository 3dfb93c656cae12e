import { restore } from "@weir/learn";
import type { Pipeline } from "@weir/learn";
import {
  modelAliasChangeSchema,
  modelDetailSchema,
  modelSummarySchema,
  modelVersionSchema,
  predictAnswerSchema,
} from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { BACKENDS, startTestServer, uuid } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { localAnswer, predict, publish, reviews, trainedModel } from "../../test/models.js";

describe.each(BACKENDS)("the models API on $name", ({ name: backend, skip }) => {
  let server: TestServer;
  const texts = reviews()
    .slice(0, 40)
    .map((r) => r.text);
  const early = trainedModel(60);
  const full = trainedModel();

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(skip)("publishes numbered, immutable versions with their metadata", async () => {
    const runId = uuid();
    const first = modelVersionSchema.parse(
      await publish(server, "sentiment", early, {
        runId,
        step: 60,
        offset: 60,
        metrics: { accuracy: 0.7 },
        learnVersion: "0.1.0",
        description: "first",
      }),
    );
    expect(first).toMatchObject({
      name: "sentiment",
      version: 1,
      runId,
      step: 60,
      offset: 60,
      metrics: { accuracy: 0.7 },
      learnVersion: "0.1.0",
      description: "first",
      inputType: "text",
      aliases: ["latest"],
    });
    expect(first.sizeBytes).toBe(JSON.stringify(early.toJSON()).length);
    const second = await publish(server, "sentiment", full, { offset: "topic:337" });
    expect(second).toMatchObject({
      version: 2,
      offset: "topic:337",
      runId: null,
      step: null,
      aliases: ["latest"],
    });
    expect(
      (await server.json<{ aliases: string[] }>("GET", "/api/models/sentiment/versions/1")).aliases,
    ).toEqual([]);
  });

  it.skipIf(skip)("gives back each version's checkpoint exactly, and lists and details models", async () => {
    const checkpoint = await server.json<unknown>("GET", "/api/models/sentiment/versions/1/checkpoint");
    expect(checkpoint).toEqual(JSON.parse(JSON.stringify(early.toJSON())));
    const list = z.array(modelSummarySchema).parse(await server.json("GET", "/api/models"));
    expect(list.find((m) => m.name === "sentiment")).toMatchObject({
      latestVersion: 2,
      versions: 2,
      aliases: { latest: 2 },
      followLatest: [],
    });
    const detail = modelDetailSchema.parse(await server.json("GET", "/api/models/sentiment"));
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(detail.versionCount).toBe(2);
  });

  it.skipIf(skip)(
    "answers like @weir/learn restored from the version's checkpoint, bit for bit",
    async () => {
      for (const [version, query] of [
        [2, ""],
        [1, "?version=1"],
        [2, "?alias=latest"],
      ] as const) {
        const answer = predictAnswerSchema.parse(await predict(server, "sentiment", texts, query));
        expect(answer.version).toBe(version);
        const saved = await server.json<unknown>(
          "GET",
          `/api/models/sentiment/versions/${version}/checkpoint`,
        );
        const restored = restore(saved) as Pipeline<string>;
        expect(answer.predictions.map(({ label, probabilities }) => ({ label, probabilities }))).toEqual(
          texts.map((t) => localAnswer(restored, t)),
        );
        expect(new Set(answer.predictions.map((p) => p.id)).size).toBe(texts.length);
      }
      const one = await server.json<{ predictions: unknown[] }>("POST", "/api/models/sentiment/predict", {
        input: texts[0],
      });
      expect(one.predictions).toHaveLength(1);
    },
  );

  it.skipIf(skip)("promotes, rolls back and follows the latest, keeping each alias's history", async () => {
    const put = (alias: string, body: unknown) =>
      server.json<{ version: number; followLatest: boolean }>(
        "PUT",
        `/api/models/sentiment/aliases/${alias}`,
        body,
      );
    expect(await put("production", { version: 2 })).toMatchObject({ version: 2, followLatest: false });
    expect((await predict(server, "sentiment", texts.slice(0, 1))).version).toBe(2);
    await put("production", { version: 1 });
    expect((await predict(server, "sentiment", texts.slice(0, 1))).version).toBe(1);
    expect(await put("candidate", { followLatest: true })).toMatchObject({ version: 2, followLatest: true });
    await publish(server, "sentiment", full);
    expect((await predict(server, "sentiment", texts.slice(0, 1), "?alias=candidate")).version).toBe(3);
    expect((await predict(server, "sentiment", texts.slice(0, 1))).version).toBe(1);
    const history = z
      .array(modelAliasChangeSchema)
      .parse(await server.json("GET", "/api/models/sentiment/aliases/candidate/history"));
    expect(history.map((h) => [h.version, h.followLatest])).toEqual([
      [2, true],
      [3, true],
    ]);
    expect((await server.call("DELETE", "/api/models/sentiment/aliases/production")).status).toBe(204);
    expect((await predict(server, "sentiment", texts.slice(0, 1))).version).toBe(3);
    const production = await server.json<unknown[]>(
      "GET",
      "/api/models/sentiment/aliases/production/history",
    );
    expect(production.map((h) => (h as { version: number | null }).version)).toEqual([2, 1, null]);
    const detail = modelDetailSchema.parse(await server.json("GET", "/api/models/sentiment"));
    expect(detail.aliases).toEqual({ latest: 3, candidate: 3 });
    expect(detail.followLatest).toEqual(["candidate"]);
    expect(detail.stats.predictions).toBeGreaterThan(0);
  });

  it.skipIf(skip)("takes feature records for a model without a text vectorizer", async () => {
    const { MultinomialNB } = await import("@weir/learn");
    const nb = new MultinomialNB();
    nb.learnOne({ good: 2, food: 1 }, "pos");
    nb.learnOne({ bad: 2, food: 1 }, "neg");
    expect((await publish(server, "features", nb)).inputType).toBe("features");
    const answer = await server.json<{ predictions: { label: string }[] }>(
      "POST",
      "/api/models/features/predict",
      {
        inputs: [{ good: 3 }, { bad: 1, food: 2 }],
      },
    );
    expect(answer.predictions.map((p) => p.label)).toEqual(["pos", "neg"]);
    const wrong = await server.call("POST", "/api/models/features/predict", { input: "good food" });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain("this model takes features");
    const infinite = await server.call("POST", "/api/models/features/predict", {
      inputs: [{ good: "x", bad: null }],
    });
    expect(JSON.stringify(infinite.body)).toContain("body.inputs[0].bad must be a finite number or a string");
  });
});
