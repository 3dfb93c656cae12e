import {
  feedbackMetricsQuerySchema,
  feedbackMetricsSchema,
  labelsAnswerSchema,
  labelsBodySchema,
  modelNameSchema,
  predictAnswerSchema,
  predictBodySchema,
  predictQuerySchema,
} from "@weir/protocol";
import type { PredictAnswer } from "@weir/protocol";
import type { FastifyRequest, FastifySchemaCompiler } from "fastify";
import { z } from "zod";

import { feedbackMetrics } from "../models/feedback-metrics.js";
import { predictionId } from "../models/prediction-id.js";
import type { PendingPrediction } from "../models/prediction-log.js";
import type { RawPrediction } from "../models/loaded-model.js";
import type { Models } from "../models/models-module.js";
import { labelledSince } from "../storage/prediction-repository.js";
import type { ZodApp } from "./deps.js";
import { readLabels, readPredictInputs } from "./model-bodies.js";
import { bodyByHand } from "./model-routes.js";

const nameParams = z.object({ name: modelNameSchema });
const tags = ["models"];

/** Model names that passed the params schema, so that a predict call does not walk it again. */
const checkedNames = new Set<string>();

/**
 * The predict route's validators: the body by hand (see {@link bodyByHand}); the params and the
 * query through their schemas, except on the hot path: a model name already checked, and an empty
 * query (`{}` is what the schema gives for it). Anything else gets the schema's answer and message.
 */
function predictValidator<S>(): FastifySchemaCompiler<S> {
  const compile = bodyByHand<S>();
  return (route) => {
    const full = compile(route);
    if (route.httpPart === "params")
      return (data: unknown) => {
        const name = (data as { name?: unknown }).name;
        if (typeof name === "string" && checkedNames.has(name)) return { value: data };
        // The zod compiler answers synchronously with { value } or { error }.
        const result = full(data) as { value?: unknown; error?: Error };
        if (result.error === undefined && typeof name === "string") {
          if (checkedNames.size >= 10_000) checkedNames.clear();
          checkedNames.add(name);
        }
        return result;
      };
    if (route.httpPart === "querystring")
      return (data: unknown) => {
        for (const _key in data as object) return full(data);
        return { value: {} };
      };
    return full;
  };
}

/** How many predictions each answered predict request made, for the live figures. */
const answered = new WeakMap<FastifyRequest, { name: string; count: number }>();

/**
 * Serving: `POST /api/models/:name/predict` (from memory; the predictions are kept for late
 * labels), `POST /api/models/:name/labels` (late labels → `<name>.feedback`) and
 * `GET /api/models/:name/feedback-metrics` (live accuracy from those labels).
 */
export function registerModelServingRoutes(app: ZodApp, models: Models): void {
  const { server, predictions, stats } = models;

  app.post(
    "/api/models/:name/predict",
    {
      bodyLimit: models.predictBodyLimit,
      schema: {
        tags,
        summary: "Predict one input or a batch (?version= or ?alias= pins; default: production, else latest)",
        params: nameParams,
        querystring: predictQuerySchema,
        body: predictBodySchema,
        response: { 200: predictAnswerSchema },
      },
      // The hot path: the body is checked by hand (against the model's input type) and the answer
      // written as text, with no schema walk per request.
      validatorCompiler: predictValidator(),
      onResponse: (request, reply, done) => {
        const seen = answered.get(request);
        if (seen !== undefined) stats.recordRequest(seen.name, seen.count, reply.elapsedTime);
        done();
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const { inputs, batch } = readPredictInputs(request.body);
      const model = server.cached(name, request.query) ?? (await server.resolve(name, request.query));
      model.check(inputs, batch);
      const now = Date.now();
      const n = inputs.length;
      const ids = new Array<string>(n);
      const raw = new Array<RawPrediction>(n);
      const pending = new Array<PendingPrediction>(n);
      for (let i = 0; i < n; i++) {
        const id = predictionId(now);
        const prediction = model.predict(inputs[i]);
        ids[i] = id;
        raw[i] = prediction;
        pending[i] = {
          id,
          name,
          version: model.version,
          input: inputs[i],
          label: prediction.label,
          proba: prediction.proba,
          createdAt: now,
        };
      }
      const backPressure = predictions.record(pending);
      if (backPressure !== undefined) await backPressure;
      answered.set(request, { name, count: n });
      // Text with a JSON content type is sent as it is (Fastify does not serialise a string).
      const text = model.answer(ids, raw) as unknown as PredictAnswer;
      return reply.type("application/json; charset=utf-8").send(text);
    },
  );

  app.post(
    "/api/models/:name/labels",
    {
      bodyLimit: models.predictBodyLimit,
      schema: {
        tags,
        summary: "Late labels: join each with its prediction and publish it to <name>.feedback once",
        params: nameParams,
        body: labelsBodySchema,
        response: { 200: labelsAnswerSchema },
      },
      validatorCompiler: bodyByHand(),
    },
    (request) => models.feedback.label(request.params.name, readLabels(request.body)),
  );

  app.get(
    "/api/models/:name/feedback-metrics",
    {
      schema: {
        tags,
        summary: "Accuracy, precision and recall of the served predictions from their late labels",
        params: nameParams,
        querystring: feedbackMetricsQuerySchema,
        response: { 200: feedbackMetricsSchema },
      },
    },
    async (request) => {
      const { name } = request.params;
      const { windowMs, bucketMs, positive } = request.query;
      await models.registry.model(name);
      const bucket = Math.max(bucketMs ?? Math.ceil(windowMs / 60), 1000);
      const since = Date.now() - windowMs;
      const rows = await labelledSince(models.storage.db, name, since);
      return feedbackMetrics(rows, since, windowMs, bucket, positive);
    },
  );
}
