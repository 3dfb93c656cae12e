import { z } from "zod";

import { timestampSchema } from "./common.js";
import type { GroupSummary, TopicSummary } from "./stream/topic-summary.js";

const count = z.number().int().nonnegative();
const limit = z.number().int().positive();

/** A consumer group in a {@link topicSummarySchema topic summary}. */
export const groupSummarySchema = z.object({
  name: z.string(),
  ackedOffset: count,
  pending: count,
  lag: count,
  consumers: count,
}) satisfies z.ZodType<GroupSummary>;

/**
 * A topic of the Weir server's event log, as `GET /api/topics` lists it and `GET /api/topics/:name`
 * returns it: the `TopicSummary` of `@weir/protocol/stream`, field for field.
 *
 * @example topicSummarySchema.parse(await (await fetch(`${api}/api/topics/river_pipeline`)).json());
 */
export const topicSummarySchema = z.object({
  name: z.string(),
  topicId: z.string(),
  eventCount: count,
  firstOffset: count,
  lastOffset: count,
  bytes: count,
  maxAgeMs: limit.optional(),
  maxBytes: limit.optional(),
  createdAt: timestampSchema,
  publishRate: z.number().nonnegative(),
  groups: z.array(groupSummarySchema),
}) satisfies z.ZodType<TopicSummary>;

/**
 * An event as `GET /api/topics/:name/events` returns it: a text or JSON payload as its UTF-8 text
 * (`encoding: "utf8"`), any other as base64.
 */
export const topicEventSchema = z.object({
  id: z.string(),
  topic: z.string(),
  offset: limit,
  mimetype: z.string(),
  typeName: z.string().nullable(),
  typeVersion: count.nullable(),
  metadata: z.record(z.string(), z.string()),
  createdAt: timestampSchema,
  size: count,
  encoding: z.enum(["utf8", "base64"]),
  data: z.string(),
});

/** An event as `GET /api/topics/:name/events` returns it. */
export type TopicEvent = z.infer<typeof topicEventSchema>;
