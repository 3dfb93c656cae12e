// Test code of @weir/server's models API (not part of the build): a real @weir/learn model trained on
// the project's sample reviews, and helpers to publish and predict against a real server.
import { readFileSync } from "node:fs";

import { BagOfWords, MultinomialNB, Pipeline } from "@weir/learn";
import type { ModelVersion, PredictAnswer } from "@weir/protocol";

import type { TestServer } from "./backends.js";

const SAMPLE = new URL("../../../examples/yelp-sentiment/data/reviews.csv", import.meta.url);

/** `text,sentiment` rows of the reference application's sample data. */
export function reviews(): { text: string; label: number }[] {
  const rows: { text: string; label: number }[] = [];
  for (const line of readFileSync(SAMPLE, "utf8").split("\n").slice(1)) {
    const match = /^(?:"((?:[^"]|"")*)"|([^"]*)),([01])\r?$/.exec(line);
    if (match === null) continue;
    rows.push({ text: (match[1] ?? match[2] ?? "").replaceAll('""', '"'), label: Number(match[3]) });
  }
  return rows;
}

/** A bag-of-words naive Bayes pipeline that learned the first `count` sample reviews. */
export function trainedModel(count = Infinity): Pipeline<string> {
  const model = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
  for (const { text, label } of reviews().slice(0, count)) model.learnOne(text, label);
  return model;
}

/** Publishes `model` as the next version of `name`. */
export function publish(
  server: TestServer,
  name: string,
  model: { toJSON(): unknown },
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<ModelVersion> {
  return server.json<ModelVersion>(
    "POST",
    `/api/models/${name}/versions`,
    { checkpoint: model.toJSON(), ...extra },
    headers,
  );
}

/** Predicts texts with the served model (a query string such as `?alias=production` pins it). */
export function predict(
  server: TestServer,
  name: string,
  inputs: string[],
  query = "",
): Promise<PredictAnswer> {
  return server.json<PredictAnswer>("POST", `/api/models/${name}/predict${query}`, { inputs });
}

/** What the answer of a local model is, in the shape the server answers. */
export function localAnswer(
  model: Pipeline<string>,
  text: string,
): { label: unknown; probabilities: Record<string, number> } {
  return {
    label: model.predictOne(text) ?? null,
    probabilities: Object.fromEntries([...model.predictProbaOne(text)].map(([k, p]) => [String(k), p])),
  };
}
