import { BagOfWords } from "@weir/learn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { predict, publish, reviews, trainedModel } from "../../test/models.js";

/** `{"a":{"a":…}}`, `levels` deep, written as text. */
const deep = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);

interface Case {
  label: string;
  method: string;
  path: string;
  /** A JSON value, or raw text when `raw`. */
  body?: unknown;
  raw?: boolean;
  contentType?: string;
  status: number;
  /** A fragment the message must contain (what was wrong, what to do). */
  says: string;
}

function cases(checkpoint: unknown): Case[] {
  const predictPath = "/api/models/sentiment/predict";
  const bigText = "x".repeat(1000);
  return [
    {
      label: "wrong input type",
      method: "POST",
      path: predictPath,
      body: { input: 42 },
      status: 400,
      says: "must be a text",
    },
    {
      label: "wrong type in a batch",
      method: "POST",
      path: predictPath,
      body: { inputs: ["ok", { a: 1 }] },
      status: 400,
      says: "body.inputs[1] must be a text",
    },
    {
      label: "empty batch",
      method: "POST",
      path: predictPath,
      body: { inputs: [] },
      status: 400,
      says: "body.inputs is empty",
    },
    {
      label: "batch too long",
      method: "POST",
      path: predictPath,
      body: { inputs: Array(10_001).fill("a") },
      status: 400,
      says: "up to 10000",
    },
    {
      label: "7.6 MB batch (under the limit)",
      method: "POST",
      path: predictPath,
      body: { inputs: Array(7_600).fill(bigText) },
      status: 200,
      says: '"version":1',
    },
    {
      label: "10 MB batch",
      method: "POST",
      path: predictPath,
      body: { inputs: Array(10_000).fill(bigText) },
      status: 413,
      says: "larger than this server accepts",
    },
    {
      label: "over-long text",
      method: "POST",
      path: predictPath,
      body: { input: "y".repeat(100_001) },
      status: 400,
      says: "up to 100000",
    },
    {
      label: "both input and inputs",
      method: "POST",
      path: predictPath,
      body: { input: "a", inputs: ["b"] },
      status: 400,
      says: "exactly one",
    },
    {
      label: "unknown field",
      method: "POST",
      path: predictPath,
      body: { text: "a" },
      status: 400,
      says: "body.text is not a field",
    },
    { label: "array body", method: "POST", path: predictPath, body: ["a"], status: 400, says: "JSON object" },
    {
      label: "deep input",
      method: "POST",
      path: predictPath,
      body: `{"input":${deep(100_000)}}`,
      raw: true,
      status: 400,
      says: "must be a text",
    },
    {
      label: "invalid JSON",
      method: "POST",
      path: predictPath,
      body: '{"input":',
      raw: true,
      status: 400,
      says: "not valid JSON",
    },
    {
      label: "not JSON",
      method: "POST",
      path: predictPath,
      body: "hello",
      raw: true,
      contentType: "text/plain",
      status: 400,
      says: "must be a JSON object",
    },
    {
      label: "unknown model",
      method: "POST",
      path: "/api/models/nope/predict",
      body: { input: "a" },
      status: 404,
      says: 'Model "nope" does not exist',
    },
    {
      label: "unknown version",
      method: "POST",
      path: `${predictPath}?version=99`,
      body: { input: "a" },
      status: 404,
      says: "no version 99",
    },
    {
      label: "unknown alias",
      method: "POST",
      path: `${predictPath}?alias=staging`,
      body: { input: "a" },
      status: 404,
      says: 'no alias "staging"',
    },
    {
      label: "bad alias name",
      method: "POST",
      path: `${predictPath}?alias=Bad!`,
      body: { input: "a" },
      status: 400,
      says: "querystring.alias",
    },
    {
      label: "bad version",
      method: "POST",
      path: `${predictPath}?version=abc`,
      body: { input: "a" },
      status: 400,
      says: "querystring.version",
    },
    {
      label: "version and alias",
      method: "POST",
      path: `${predictPath}?version=1&alias=latest`,
      body: { input: "a" },
      status: 400,
      says: "not both",
    },
    {
      label: "bad model name",
      method: "POST",
      path: "/api/models/a..b/predict",
      body: { input: "a" },
      status: 400,
      says: "params.name",
    },
    {
      label: "malformed checkpoint",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { checkpoint: { format: "@weir/learn", version: 1, type: "Pipeline", state: { steps: "x" } } },
      status: 400,
      says: "does not restore",
    },
    {
      label: "checkpoint of another format",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { checkpoint: { weights: [1, 2] } },
      status: 400,
      says: "@weir/learn checkpoint",
    },
    {
      label: "checkpoint of a transformer",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { checkpoint: new BagOfWords().toJSON() },
      status: 400,
      says: "not a model that predicts",
    },
    {
      label: "deep checkpoint",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: `{"checkpoint":{"format":"@weir/learn","x":${deep(5_000)}}}`,
      raw: true,
      status: 400,
      says: "nested more than 64",
    },
    {
      label: "bad run id",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { checkpoint, runId: "run-1" },
      status: 400,
      says: "body.runId",
    },
    {
      label: "negative step",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { checkpoint, step: -1 },
      status: 400,
      says: "body.step",
    },
    {
      label: "no checkpoint",
      method: "POST",
      path: "/api/models/sentiment/versions",
      body: { step: 1 },
      status: 400,
      says: "body.checkpoint",
    },
    {
      label: "alias on an unknown version",
      method: "PUT",
      path: "/api/models/sentiment/aliases/production",
      body: { version: 7 },
      status: 404,
      says: "no version 7 (its versions are 1 to 1)",
    },
    {
      label: "alias of an unknown model",
      method: "PUT",
      path: "/api/models/nope/aliases/production",
      body: { version: 1 },
      status: 404,
      says: "does not exist",
    },
    {
      label: "alias latest",
      method: "PUT",
      path: "/api/models/sentiment/aliases/latest",
      body: { version: 1 },
      status: 400,
      says: "always names the newest",
    },
    {
      label: "alias version as text",
      method: "PUT",
      path: "/api/models/sentiment/aliases/production",
      body: { version: "1" },
      status: 400,
      says: "body.version",
    },
    {
      label: "followLatest false",
      method: "PUT",
      path: "/api/models/sentiment/aliases/production",
      body: { followLatest: false },
      status: 400,
      says: "body.followLatest",
    },
    {
      label: "bad alias in the path",
      method: "PUT",
      path: "/api/models/sentiment/aliases/Prod",
      body: { version: 1 },
      status: 400,
      says: "params.alias",
    },
    {
      label: "delete a missing alias",
      method: "DELETE",
      path: "/api/models/sentiment/aliases/gone",
      status: 404,
      says: 'no alias "gone"',
    },
    {
      label: "label with a bad id",
      method: "POST",
      path: "/api/models/sentiment/labels",
      body: { id: "abc", label: 1 },
      status: 400,
      says: "body.id",
    },
    {
      label: "label of a bad type",
      method: "POST",
      path: "/api/models/sentiment/labels",
      body: { id: uuid(), label: { a: 1 } },
      status: 400,
      says: "body.label",
    },
    {
      label: "empty labels",
      method: "POST",
      path: "/api/models/sentiment/labels",
      body: { labels: [] },
      status: 400,
      says: "body.labels",
    },
    {
      label: "label for an unknown model",
      method: "POST",
      path: "/api/models/nope/labels",
      body: { id: uuid(), label: 1 },
      status: 404,
      says: "does not exist",
    },
    {
      label: "label for an unknown id",
      method: "POST",
      path: "/api/models/sentiment/labels",
      body: { id: uuid(), label: 1 },
      status: 404,
      says: "No prediction",
    },
    {
      label: "unknown model's detail",
      method: "GET",
      path: "/api/models/nope",
      status: 404,
      says: "does not exist",
    },
    {
      label: "unknown version's metadata",
      method: "GET",
      path: "/api/models/sentiment/versions/9",
      status: 404,
      says: "no version 9",
    },
    {
      label: "unknown version's checkpoint",
      method: "GET",
      path: "/api/models/sentiment/versions/9/checkpoint",
      status: 404,
      says: "no version 9",
    },
    {
      label: "version 0",
      method: "GET",
      path: "/api/models/sentiment/versions/0",
      status: 400,
      says: "params.version",
    },
    {
      label: "history of an unknown model",
      method: "GET",
      path: "/api/models/nope/aliases/production/history",
      status: 404,
      says: "does not exist",
    },
    {
      label: "bad feedback window",
      method: "GET",
      path: "/api/models/sentiment/feedback-metrics?windowMs=abc",
      status: 400,
      says: "querystring.windowMs",
    },
  ];
}

describe.each(BACKENDS)("hostile input to the models API on $name", ({ name: backend, skip }) => {
  let server: TestServer;
  const model = trainedModel();
  const texts = reviews()
    .slice(0, 20)
    .map((r) => r.text);

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(backend);
    await publish(server, "sentiment", model);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(skip)(
    "answers each with a 4xx that says what was wrong, and the served model is unchanged",
    async () => {
      const before = await predict(server, "sentiment", texts);
      const wrong: string[] = [];
      for (const c of cases(model.toJSON())) {
        const res = await fetch(server.url + c.path, {
          method: c.method,
          headers: c.body === undefined ? {} : { "content-type": c.contentType ?? "application/json" },
          body:
            c.body === undefined ? undefined : c.raw === true ? (c.body as string) : JSON.stringify(c.body),
        });
        const text = await res.text();
        const message =
          res.status < 300 ? text : (JSON.parse(text) as { error: { message: string } }).error.message;
        if (res.status !== c.status || !message.includes(c.says))
          wrong.push(`${c.label}: ${res.status} ${text.slice(0, 300)}`);
      }
      expect(wrong).toEqual([]);
      const after = await predict(server, "sentiment", texts);
      expect(after.version).toBe(1);
      expect(after.predictions.map(({ label, probabilities }) => ({ label, probabilities }))).toEqual(
        before.predictions.map(({ label, probabilities }) => ({ label, probabilities })),
      );
      const detail = await server.json<{ latestVersion: number; aliases: Record<string, number> }>(
        "GET",
        "/api/models/sentiment",
      );
      expect(detail).toMatchObject({ latestVersion: 1, aliases: { latest: 1 } });
    },
  );
});
