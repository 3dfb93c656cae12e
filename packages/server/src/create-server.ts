import { readFileSync } from "node:fs";

import fastifySwagger from "@fastify/swagger";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

import { registerCheckpointRoutes } from "./api/checkpoint-routes.js";
import { registerDashboardRoutes } from "./api/dashboard-routes.js";
import { registerDeploymentRoutes } from "./api/deployment-routes.js";
import type { ApiDeps } from "./api/deps.js";
import { registerEventsRoute } from "./api/events-route.js";
import { registerIngestRoutes } from "./api/ingest-routes.js";
import { registerModelRoutes } from "./api/model-routes.js";
import { registerModelServingRoutes } from "./api/model-serving-routes.js";
import { registerRunDataRoutes } from "./api/run-data-routes.js";
import { registerRunRoutes } from "./api/runs-routes.js";
import { registerWorkerRoutes } from "./api/worker-routes.js";
import { registerEventLog } from "./event-log/index.js";
import { installApiKeyCheck } from "./http/auth.js";
import { installDashboard } from "./http/dashboard.js";
import { installErrorHandler } from "./http/error-handler.js";
import { startModels } from "./models/models-module.js";
import type { ServerOptions } from "./options.js";
import { resolveOptions } from "./options.js";
import type { ResolvedOptions } from "./options.js";
import { EventBus } from "./services/event-bus.js";
import { startDeployments } from "./services/deployments-module.js";
import { startLivenessMonitor } from "./services/liveness.js";
import type { BackgroundJob } from "./services/liveness.js";
import { startRetentionJob } from "./services/retention-job.js";
import { RunService } from "./services/run-service.js";
import { ServerMetrics } from "./services/server-metrics.js";
import { openStorage } from "./storage/database.js";
import type { Storage } from "./storage/database.js";

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** What {@link createServer} builds: the app plus handles tests and embedders may use. */
export interface WeirApp {
  app: FastifyInstance;
  storage: Storage;
  /** Runs one liveness pass now; resolves with how many runs it marked Crashed. */
  checkLiveness: () => Promise<number>;
  /** Runs one retention pass now; resolves with how many runs it deleted. */
  applyRetention: () => Promise<number>;
}

/**
 * Builds the Weir server's Fastify app without listening: storage opened and migrated, routes,
 * OpenAPI, liveness and retention jobs (stopped by `app.close()`).
 *
 * @example
 * const { app } = await createServer({ db: "sqlite::memory:" });
 * const res = await app.inject({ method: "GET", url: "/api/health" });
 * await app.close();
 */
export async function createServer(options: ServerOptions = {}): Promise<WeirApp> {
  const o = resolveOptions(options);
  const storage = await openStorage(o.db, o.dataDir);
  try {
    return await buildApp(o, storage);
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
}

async function buildApp(o: ResolvedOptions, storage: Storage): Promise<WeirApp> {
  const app = Fastify({
    logger: o.logger,
    bodyLimit: o.bodyLimit,
    // close(): idle keep-alive sockets are closed at once, requests in flight may finish (live
    // streams are ended in preClose); whatever is still open after the grace period is cut.
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 300 },
    // Malformed URLs (bad percent-encoding, over-long path parameters) answer in the API's shape.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ error: { code: "WEIR_VALIDATION", message: `Malformed URL: ${error.message}` } });
    },
  });
  try {
    return await configure(app, o, storage);
  } catch (error) {
    // Whatever registered itself so far (the event log's file, timers) is released by close().
    await app.close().catch(() => undefined);
    throw error;
  }
}

async function configure(app: FastifyInstance, o: ResolvedOptions, storage: Storage): Promise<WeirApp> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  const bus = new EventBus();
  const metrics = new ServerMetrics();
  const service = new RunService(storage, bus, metrics);
  const shutdown = new AbortController();
  const onJobError = (error: unknown) => app.log.error({ err: error }, "background job failed");
  const jobs: BackgroundJob[] = [];

  app.addHook("onResponse", async (request, reply) => {
    metrics.countRequest(request.method, request.routeOptions.url ?? "(unmatched)", reply.statusCode);
  });
  // A request that was in flight when close() began is answered, then its socket is closed
  // (instead of idling as keep-alive until the grace period cuts it).
  app.addHook("onSend", async (_request, reply, payload) => {
    if (shutdown.signal.aborted) void reply.header("connection", "close");
    return payload;
  });
  app.addHook("preClose", async () => {
    shutdown.abort();
    const cut = setTimeout(() => app.server.closeAllConnections(), o.shutdownGraceMs);
    cut.unref();
    app.server.once("close", () => clearTimeout(cut));
    await Promise.all(jobs.map((job) => job.stop()));
  });
  app.addHook("onClose", async () => {
    await storage.close();
  });

  installApiKeyCheck(app, o.apiKey, { modelsPublic: o.modelsPublic });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Weir server API",
        description: "Runs, states, logs, metrics, artifacts, checkpoints and live events. See docs/api.md.",
        version,
      },
      components: o.apiKey ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } : {},
    },
    transform: jsonSchemaTransform,
  });

  const deps: ApiDeps = {
    storage,
    service,
    bus,
    metrics,
    version,
    startedAt: Date.now(),
    checkpointBodyLimit: o.checkpointBodyLimit,
    shutdown: shutdown.signal,
  };
  const api = app.withTypeProvider<ZodTypeProvider>();
  registerRunRoutes(api, deps);
  registerRunDataRoutes(api, deps);
  registerCheckpointRoutes(api, deps);
  registerIngestRoutes(api, deps);
  registerDashboardRoutes(api, deps);
  registerEventsRoute(api, deps);
  app.get("/api/openapi.json", { schema: { hide: true } }, () => app.swagger());

  // ── Embedded event log ────────────────────────────────────────────────────────────────────
  // The event log (topics, `/api/stream` WebSocket, `/api/topics`) is a plugin of its own in
  // ./event-log/, with its own SQLite file (<dataDir>/events.db), not the control-plane database.
  const eventLog = await registerEventLog(app, {
    dataDir: o.dataDir,
    ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
  });
  // ─────────────────────────────────────────────────────────────────────────────────────────

  // Models (registry, serving from memory, late labels into the event log): see docs/models.md.
  const models = startModels(service, eventLog, {
    predictionRetentionMs: o.predictionRetentionMs,
    refreshIntervalMs: o.modelRefreshIntervalMs,
    publishBodyLimit: o.checkpointBodyLimit,
    predictBodyLimit: o.predictBodyLimit,
    onError: onJobError,
  });
  registerModelRoutes(api, models);
  registerModelServingRoutes(api, models);

  // Deployments, schedules, workers and cancel: see docs/deployments.md.
  const deployments = await startDeployments(service, o, onJobError);
  registerDeploymentRoutes(api, deployments.deployments);
  registerWorkerRoutes(api, deps, deployments.workers, deployments.deployments);

  await installDashboard(app, o.uiDir);

  jobs.push(startLivenessMonitor(service, o.livenessCheckIntervalMs, onJobError));
  jobs.push(startRetentionJob(service, o.retentionDays, o.retentionCheckIntervalMs, onJobError));
  // Stopped with the others on close: buffered predictions are written before the database closes.
  jobs.push({ runOnce: () => models.applyRetention(), stop: () => models.stop() });
  jobs.push(deployments.job);
  const [liveness, retention] = jobs as [BackgroundJob, BackgroundJob];
  return { app, storage, checkLiveness: () => liveness.runOnce(), applyRetention: () => retention.runOnce() };
}
