import { flowSummarySchema, healthSchema, pageSchema, statsQuerySchema, statsSchema } from "@weir/protocol";

import { countByState, listFlows, recentFailures } from "../storage/dashboard-repository.js";
import type { ApiDeps, ZodApp } from "./deps.js";

/** `/api/flows`, `/api/stats`, `/api/health` and the Prometheus `/metrics`. */
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
