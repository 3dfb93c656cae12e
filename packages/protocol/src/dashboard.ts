import { z } from "zod";

import { timestampSchema } from "./common.js";
import { runSchema } from "./runs.js";
import { STATE_TYPES } from "./states.js";

/**
 * One flow in `GET /api/flows`.
 * @example pageSchema(flowSummarySchema).parse(await (await fetch(`${api}/api/flows`)).json());
 */
export const flowSummarySchema = z.object({
  name: z.string(),
  runCount: z.number().int(),
  lastRunAt: z.string().nullable(),
  lastRun: runSchema.nullable(),
});

/** One flow in `GET /api/flows`. */
export type FlowSummary = z.infer<typeof flowSummarySchema>;

/** `GET /api/stats` query: the window is on each run's start time (creation time before it starts). */
export const statsQuerySchema = z.object({
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
});

const stateCountsSchema = z.object(
  Object.fromEntries(STATE_TYPES.map((s) => [s, z.number().int()])) as Record<
    (typeof STATE_TYPES)[number],
    z.ZodNumber
  >,
);

/** Counts per state. */
export type StateCounts = z.infer<typeof stateCountsSchema>;

/**
 * `GET /api/stats` answer.
 * @example statsSchema.parse(await (await fetch(`${api}/api/stats`)).json()).flowRuns.Running;
 */
export const statsSchema = z.object({
  since: z.string().nullable(),
  until: z.string().nullable(),
  flowRuns: stateCountsSchema,
  taskRuns: stateCountsSchema,
  recentFailures: z.array(runSchema),
});

/** `GET /api/stats` answer. */
export type Stats = z.infer<typeof statsSchema>;

/** `GET /api/health` answer. */
export const healthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  database: z.enum(["sqlite", "postgres"]),
  uptimeSeconds: z.number(),
});

/** `GET /api/health` answer. */
export type Health = z.infer<typeof healthSchema>;

/** The most buckets `GET /api/dashboard/activity` answers with. */
export const MAX_ACTIVITY_BUCKETS = 1000;

/**
 * `GET /api/dashboard/activity` query: the window `[from, to)` on each run's start time (creation
 * time before it starts), cut into `buckets` equal time buckets. `to` defaults to now, `from` to
 * the oldest run's time (24 hours before `to` when there are none).
 * @example activityQuerySchema.parse({ from: "2026-12-03T12:00:00Z", buckets: "96" });
 */
export const activityQuerySchema = z
  .object({
    from: timestampSchema.optional(),
    to: timestampSchema.optional(),
    buckets: z.coerce.number().int().min(1).max(MAX_ACTIVITY_BUCKETS).default(96),
    kind: z.enum(["flow", "task"]).default("flow"),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: "must be before `to`: pass a window such as from=2026-12-03T12:00:00Z&to=2026-12-04T12:00:00Z",
    path: ["from"],
  });

/** One time bucket of the activity: its start and its runs' counts per state (states with none left out). */
const activityBucketSchema = z.object({
  start: z.string(),
  counts: z.partialRecord(z.enum(STATE_TYPES), z.number().int()),
});

/**
 * `GET /api/dashboard/activity` answer: runs counted per state in each of `buckets` time buckets
 * of `bucketMs` milliseconds from `from`, counted by the database, so that a day of a million
 * runs is as small an answer as a day of ten.
 * @example activitySchema.parse(await (await fetch(`${api}/api/dashboard/activity?buckets=96`)).json());
 */
export const activitySchema = z.object({
  from: z.string(),
  to: z.string(),
  bucketMs: z.number().int(),
  total: z.number().int(),
  buckets: z.array(activityBucketSchema),
});

/** `GET /api/dashboard/activity` answer. */
export type Activity = z.infer<typeof activitySchema>;
