import { z } from "zod";

import { idSchema, timestampSchema } from "./common.js";

/** A metric name: letters, digits and `_ . : / -`, up to 200 characters. */
export const metricNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:/-]+$/, "must contain only letters, digits and _ . : / -");

/**
 * A metric point as a client sends it in an ingest batch.
 * @example metricInputSchema.parse({ runId, seq: 7, name: "precision", value: 0.81, step: 42 });
 */
export const metricInputSchema = z.object({
  runId: idSchema,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  name: metricNameSchema,
  value: z.number(),
  step: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  timestamp: timestampSchema.optional(),
});

/** A metric point as a client sends it. */
export type MetricInput = z.input<typeof metricInputSchema>;

/** A stored metric point. */
export const metricPointSchema = z.object({
  step: z.number().int().nullable(),
  value: z.number(),
  timestamp: z.string(),
});

/** A stored metric point. */
export type MetricPoint = z.infer<typeof metricPointSchema>;

/**
 * One named series of a run.
 * @example z.array(metricSeriesSchema).parse(await (await fetch(`${api}/api/runs/${id}/metrics`)).json());
 */
export const metricSeriesSchema = z.object({ name: z.string(), points: z.array(metricPointSchema) });

/** One named series of a run. */
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/** A stored point with its run and name, as pushed on the live channel. */
export const metricEventSchema = metricPointSchema.extend({
  runId: idSchema,
  seq: z.number().int(),
  name: z.string(),
});

/** A stored point with its run and name, as pushed on the live channel. */
export type MetricEvent = z.infer<typeof metricEventSchema>;

/** `GET /api/runs/:id/metrics` query: `?name=` one series, `?maxPoints=` the latest N per series. */
export const metricQuerySchema = z.object({
  name: metricNameSchema.optional(),
  maxPoints: z.coerce.number().int().min(1).max(100_000).default(10_000),
});
