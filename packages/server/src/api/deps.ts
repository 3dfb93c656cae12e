import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

import type { EventBus } from "../services/event-bus.js";
import type { RunService } from "../services/run-service.js";
import type { ServerMetrics } from "../services/server-metrics.js";
import type { Storage } from "../storage/database.js";

/** The Fastify instance with zod schemas as its type provider. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What the route modules need. */
export interface ApiDeps {
  storage: Storage;
  service: RunService;
  bus: EventBus;
  metrics: ServerMetrics;
  version: string;
  startedAt: number;
  checkpointBodyLimit: number;
  /** Closed on shutdown so that open SSE streams end and the server can stop. */
  shutdown: AbortSignal;
}
