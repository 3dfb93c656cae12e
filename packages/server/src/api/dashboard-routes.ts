import {
  activityQuerySchema,
  activitySchema,
  flowSummarySchema,
  healthSchema,
  pageSchema,
  STATE_TYPES,
  statsQuerySchema,
  statsSchema,
} from "@weir/protocol";
import type { Activity, StateType } from "@weir/protocol";
import type { z } from "zod";

import type { BucketWindow } from "../storage/dashboard-repository.js";
import {
  countByBucket,
  countByState,
  listFlows,
  oldestRunTime,
  recentFailures,
} from "../storage/dashboard-repository.js";
import type { Storage } from "../storage/database.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const DAY_MS = 86_400_000;

/**
 * The buckets of an activity query: `to` defaults to now, `from` to the oldest run (a day before
 * `to` when there is none, or when the oldest is not before `to`).
 */
async function bucketWindow(
  storage: Storage,
  query: z.output<typeof activityQuerySchema>,
): Promise<BucketWindow & { to: number }> {
  const to = query.to === undefined ? Date.now() : Date.parse(query.to);
  let from = query.from === undefined ? await oldestRunTime(storage.db, query.kind) : Date.parse(query.from);
  if (from === undefined || from >= to) from = to - DAY_MS;
  return { from, to, count: query.buckets, bucketMs: Math.max(1, Math.ceil((to - from) / query.buckets)) };
}

/** The buckets of a window, each with its runs' counts per state. */
function toActivity(
  window: BucketWindow & { to: number },
  rows: Awaited<ReturnType<typeof countByBucket>>,
): Activity {
  const buckets: Activity["buckets"] = Array.from({ length: window.count }, (_, i) => ({
    start: new Date(window.from + i * window.bucketMs).toISOString(),
    counts: {},
  }));
  let total = 0;
  for (const row of rows) {
    const bucket = buckets[row.bucket];
    if (bucket === undefined || !STATE_TYPES.includes(row.state as StateType)) continue;
    bucket.counts[row.state as StateType] = row.n;
    total += row.n;
  }
  return {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    bucketMs: window.bucketMs,
    total,
    buckets,
  };
}

/** `/api/flows`, `/api/stats`, `/api/dashboard/activity`, `/api/health` and the Prometheus `/metrics`. */
export function registerDashboardRoutes(app: ZodApp, deps: ApiDeps): void {
  const { storage, metrics } = deps;

  app.get(
    "/api/flows",
    {
      schema: {
        tags: ["dashboard"],
        summary: "Every flow with its run count and last run",
        response: { 200: pageSchema(flowSummarySchema) },
      },
    },
    async () => {
      const items = await listFlows(storage.db);
      return { items, nextCursor: null, total: items.length, totalCapped: false };
    },
  );

  app.get(
    "/api/stats",
    {
      schema: {
        tags: ["dashboard"],
        summary: "Run counts per state and recent failures",
        querystring: statsQuerySchema,
        response: { 200: statsSchema },
      },
    },
    async (request) => {
      const since = request.query.since === undefined ? undefined : Date.parse(request.query.since);
      const until = request.query.until === undefined ? undefined : Date.parse(request.query.until);
      const counts = await countByState(storage.db, since, until);
      return {
        since: request.query.since ?? null,
        until: request.query.until ?? null,
        flowRuns: counts.flow,
        taskRuns: counts.task,
        recentFailures: await recentFailures(storage.db, since, until),
      };
    },
  );

  app.get(
    "/api/dashboard/activity",
    {
      schema: {
        tags: ["dashboard"],
        summary: "Runs per state in equal time buckets (counted by the database)",
        querystring: activityQuerySchema,
        response: { 200: activitySchema },
      },
    },
    async (request) => {
      const window = await bucketWindow(storage, request.query);
      return toActivity(window, await countByBucket(storage.db, request.query.kind, window));
    },
  );

  app.get(
    "/api/health",
    { schema: { tags: ["dashboard"], summary: "Liveness of the server", response: { 200: healthSchema } } },
    async () => {
      await storage.db.selectFrom("flows").select("name").limit(1).execute();
      return {
        status: "ok" as const,
        version: deps.version,
        database: storage.dialect,
        uptimeSeconds: (Date.now() - deps.startedAt) / 1000,
      };
    },
  );

  let cached: { at: number; rows: { kind: string; state: string; n: number }[] } | undefined;
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    if (cached === undefined || Date.now() - cached.at > 5_000) {
      const rows = await storage.db
        .selectFrom("runs")
        .select(["kind", "state", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy(["kind", "state"])
        .execute();
      cached = { at: Date.now(), rows: rows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) })) };
    }
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render(cached.rows));
  });
}
