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
