import { z } from "zod";

import { artifactSchema } from "./artifacts.js";
import { logLineSchema } from "./logs.js";
import { metricEventSchema } from "./metrics.js";
import { runSchema } from "./runs.js";

/** Names of the Server-Sent Events on `GET /api/events`. */
export const LIVE_EVENT_NAMES = ["run", "log", "metric", "artifact"] as const;

/**
 * A live event as pushed on `GET /api/events`: the SSE `event:` line is `type`, the `data:` line is
 * the JSON of `data`.
 * @example liveEventSchema.parse({ type: "log", data: line });
 */
export const liveEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run"), data: runSchema }),
  z.object({ type: z.literal("log"), data: logLineSchema }),
  z.object({ type: z.literal("metric"), data: metricEventSchema }),
  z.object({ type: z.literal("artifact"), data: artifactSchema }),
]);

/** A live event. */
export type LiveEvent = z.infer<typeof liveEventSchema>;

/**
 * Parses one SSE message (its event name and data text) into a typed live event.
 * @example
 * source.addEventListener("log", (m) => { const ev = parseLiveEvent("log", m.data); });
 */
export function parseLiveEvent(type: string, data: string): LiveEvent {
  return liveEventSchema.parse({ type, data: JSON.parse(data) as unknown });
}
