import { z } from "zod";

import { idSchema, jsonDepthExceeds, TOO_DEEP_MESSAGE } from "./common.js";

/**
 * A model name: 1–100 characters from letters, digits, `_`, `-` and single inner dots. Its
 * feedback topic is `<name>.feedback`, so a model name is always a valid topic name.
 * @example modelNameSchema.parse("yelp-sentiment");
 */
export const modelNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/,
    'must use letters, digits, "_", "-" and single inner "." (e.g. yelp-sentiment)',
  );

/**
 * An alias name (`production`, `candidate`, …): a lower-case letter, then up to 63 of `a–z 0–9 _ -`.
 * `latest` is implicit: it always names the newest version and cannot be set or deleted.
 */
export const aliasNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, "must be a lower-case letter then up to 63 of a-z, 0-9, _ and -");

/** The alias that always names the newest version. */
export const LATEST_ALIAS = "latest";

/** The alias `predict` answers from when none is named and it is set (else {@link LATEST_ALIAS}). */
export const DEFAULT_SERVING_ALIAS = "production";

/** What a model takes: a text (`"text"`) or a record of features (`"features"`). */
export const modelInputTypeSchema = z.enum(["text", "features"]);

/** What a model takes. */
export type ModelInputType = z.infer<typeof modelInputTypeSchema>;

/** A class label, as `@weir/learn` models predict and learn them. */
export const modelLabelSchema = z.union([z.number(), z.string().max(1000), z.boolean()]);

/** A class label. */
export type ModelLabel = z.infer<typeof modelLabelSchema>;

const metricsRecord = z.record(z.string().max(200), z.number());

/**
 * `POST /api/models/:name/versions` body: a `@weir/learn` checkpoint envelope (`model.toJSON()`)
 * and what produced it. The server restores the checkpoint before storing it (a checkpoint that
 * does not restore is a 400 with `@weir/learn`'s message). `inputType` is inferred from the
 * pipeline when omitted (a text vectorizer first → `"text"`, else `"features"`).
 *
 * @example publishModelVersionSchema.parse({ checkpoint: model.toJSON(), step: 1000, metrics: { accuracy: 0.9 } });
 */
export const publishModelVersionSchema = z.object({
  checkpoint: z
    .looseObject({ format: z.literal("@weir/learn", "must be a @weir/learn checkpoint (model.toJSON())") })
    .refine((v) => !jsonDepthExceeds(v), TOO_DEEP_MESSAGE),
  runId: idSchema.optional(),
  step: z.number().int().min(0).optional(),
  offset: z.union([z.string().max(200), z.number().int().min(0)]).optional(),
  metrics: metricsRecord.optional(),
  learnVersion: z.string().max(100).optional(),
  description: z.string().max(4000).optional(),
  inputType: modelInputTypeSchema.optional(),
});

/** `POST /api/models/:name/versions` body. */
export type PublishModelVersion = z.input<typeof publishModelVersionSchema>;

/**
 * One immutable, numbered version of a model (1, 2, …) with the aliases that point at it now.
 * @example modelVersionSchema.parse(await (await fetch(`${api}/api/models/m/versions/3`)).json());
 */
export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  runId: z.string().nullable(),
  step: z.number().int().nullable(),
  offset: z.union([z.string(), z.number()]).nullable(),
  metrics: metricsRecord,
  learnVersion: z.string().nullable(),
  description: z.string().nullable(),
  /** Bytes of the checkpoint JSON before compression. */
  sizeBytes: z.number().int(),
  inputType: modelInputTypeSchema,
  aliases: z.array(z.string()),
});

/** One version of a model. */
export type ModelVersion = z.infer<typeof modelVersionSchema>;

/**
 * Live serving figures of a model over the last minute (in memory, per server process), with
 * the totals since the server started and the accuracy of the labels received in that minute.
 */
export const modelStatsSchema = z.object({
  predictionsPerSecond: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  predictions: z.number().int(),
  labels: z.number().int(),
  accuracy: z.number().nullable(),
});

/** Live serving figures of a model. */
export type ModelStats = z.infer<typeof modelStatsSchema>;

/**
 * A model in `GET /api/models`: its newest version, how many it has, its aliases (`latest`
 * included) and which aliases follow the newest version.
 */
export const modelSummarySchema = z.object({
  name: z.string(),
  latestVersion: z.number().int(),
  versions: z.number().int(),
  aliases: z.record(z.string(), z.number().int()),
  followLatest: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  stats: modelStatsSchema,
});

/** A model in `GET /api/models`. */
export type ModelSummary = z.infer<typeof modelSummarySchema>;

/** `GET /api/models/:name`: the summary and every version, newest first. */
export const modelDetailSchema = modelSummarySchema.omit({ versions: true }).extend({
  versionCount: z.number().int(),
  versions: z.array(modelVersionSchema),
});

/** `GET /api/models/:name`. */
export type ModelDetail = z.infer<typeof modelDetailSchema>;

/**
 * `PUT /api/models/:name/aliases/:alias` body: pin the alias to a version (promote, or roll back
 * to an older one), or make it follow each new version.
 * @example setModelAliasSchema.parse({ version: 3 }); setModelAliasSchema.parse({ followLatest: true });
 */
export const setModelAliasSchema = z.union([
  z.strictObject({ version: z.number().int().min(1) }),
  z.strictObject({ followLatest: z.literal(true) }),
]);

/** `PUT /api/models/:name/aliases/:alias` body. */
export type SetModelAlias = z.infer<typeof setModelAliasSchema>;

/** An alias as `PUT /api/models/:name/aliases/:alias` answers it. */
export const modelAliasSchema = z.object({
  name: z.string(),
  alias: z.string(),
  version: z.number().int(),
  followLatest: z.boolean(),
  updatedAt: z.string(),
});

/** An alias. */
export type ModelAlias = z.infer<typeof modelAliasSchema>;

/**
 * One change of an alias, oldest first in `GET /api/models/:name/aliases/:alias/history`.
 * `version` is `null` for a deletion; for a following alias, each new version it moved to is a change.
 */
export const modelAliasChangeSchema = z.object({
  alias: z.string(),
  version: z.number().int().nullable(),
  followLatest: z.boolean(),
  changedAt: z.string(),
});

/** One change of an alias. */
export type ModelAliasChange = z.infer<typeof modelAliasChangeSchema>;

/** `POST /api/models/:name/predict` query: pin a version or an alias (not both). */
export const predictQuerySchema = z
  .object({
    version: z.coerce.number().int().min(1).optional(),
    alias: aliasNameSchema.optional(),
  })
  .refine((q) => q.version === undefined || q.alias === undefined, "give version or alias, not both");

/** The most inputs one predict or labels call takes. */
export const MODEL_BATCH_MAX = 10_000;

/** One input: a text for a text model, a record of finite numbers or strings for a features model. */
export const modelInputSchema = z.union([
  z.string(),
  z.record(z.string(), z.union([z.number().finite(), z.string()])),
]);

/** One input of a model. */
export type ModelInput = z.infer<typeof modelInputSchema>;

/**
 * `POST /api/models/:name/predict` body: one input, or a batch of 1–10,000. The answer has the
 * same shape either way. (The server checks inputs against the model's input type itself.)
 * @example predictBodySchema.parse({ input: "The food was great" });
 */
export const predictBodySchema = z.union([
  z.strictObject({ input: modelInputSchema }),
  z.strictObject({ inputs: z.array(modelInputSchema).min(1).max(MODEL_BATCH_MAX) }),
]);

/** `POST /api/models/:name/predict` body. */
export type PredictBody = z.infer<typeof predictBodySchema>;

/**
 * One prediction: its id (for a late label), the class (`null` before the model learned anything)
 * and the probability of each class.
 */
export const predictionSchema = z.object({
  id: z.string(),
  label: modelLabelSchema.nullable(),
  probabilities: z.record(z.string(), z.number()),
});

/** One prediction. */
export type Prediction = z.infer<typeof predictionSchema>;

/** `POST /api/models/:name/predict` answer: the version that answered and one prediction per input. */
export const predictAnswerSchema = z.object({
  model: z.string(),
  version: z.number().int(),
  predictions: z.array(predictionSchema),
});

/** `POST /api/models/:name/predict` answer. */
export type PredictAnswer = z.infer<typeof predictAnswerSchema>;

const labelItemSchema = z.strictObject({ id: idSchema, label: modelLabelSchema });

/**
 * `POST /api/models/:name/labels` body: the true label of one prediction, or of a batch.
 * @example labelsBodySchema.parse({ id: prediction.id, label: 1 });
 */
export const labelsBodySchema = z.union([
  labelItemSchema,
  z.strictObject({ labels: z.array(labelItemSchema).min(1).max(MODEL_BATCH_MAX) }),
]);

/** `POST /api/models/:name/labels` body. */
export type LabelsBody = z.infer<typeof labelsBodySchema>;

/**
 * `POST /api/models/:name/labels` answer: per label, whether it had been received before
 * (`duplicate`: stored once) and the offset of its event in `<name>.feedback`; `duplicate` at the
 * top is true when every label was a duplicate.
 */
export const labelsAnswerSchema = z.object({
  duplicate: z.boolean(),
  results: z.array(z.object({ id: z.string(), duplicate: z.boolean(), offset: z.number().int() })),
});

/** `POST /api/models/:name/labels` answer. */
export type LabelsAnswer = z.infer<typeof labelsAnswerSchema>;

/**
 * An event of topic `<name>.feedback`: a prediction joined with its late label. Published with the
 * prediction id as idempotency key, so each label is in the topic once.
 */
export const feedbackEventSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.number().int(),
  input: modelInputSchema,
  prediction: modelLabelSchema.nullable(),
  probabilities: z.record(z.string(), z.number()),
  label: modelLabelSchema,
  predictedAt: z.string(),
  labelledAt: z.string(),
});

/** An event of topic `<name>.feedback`. */
export type FeedbackEvent = z.infer<typeof feedbackEventSchema>;

/** The feedback topic of a model. @example feedbackTopic("yelp-sentiment"); // "yelp-sentiment.feedback" */
export function feedbackTopic(model: string): string {
  return `${model}.feedback`;
}

/**
 * `GET /api/models/:name/feedback-metrics` query: the last `windowMs` (default 1 h) of labels in
 * `bucketMs` buckets (default: the window / 60). `positive` picks the class precision and recall
 * are of; without it they are macro-averaged over the classes seen.
 */
export const feedbackMetricsQuerySchema = z.object({
  windowMs: z.coerce
    .number()
    .int()
    .min(1000)
    .max(90 * 86_400_000)
    .default(3_600_000),
  bucketMs: z.coerce.number().int().min(1000).optional(),
  positive: z.string().max(1000).optional(),
});

const feedbackScoreSchema = z.object({
  accuracy: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  count: z.number().int(),
});

/**
 * `GET /api/models/:name/feedback-metrics` answer: scores of the served predictions against their
 * late labels per time bucket (by label time, oldest first, empty buckets left out) and per version.
 */
export const feedbackMetricsSchema = z.object({
  windowMs: z.number().int(),
  bucketMs: z.number().int(),
  points: z.array(feedbackScoreSchema.extend({ time: z.string() })),
  byVersion: z.record(z.string(), feedbackScoreSchema),
});

/** `GET /api/models/:name/feedback-metrics` answer. */
export type FeedbackMetrics = z.infer<typeof feedbackMetricsSchema>;
