import websocket from "@fastify/websocket";
import type { FastifyInstance } from "fastify";

import { installApiKeyCheck } from "../http/auth.js";
import { EventLog } from "./event-log.js";
import type { Durability } from "./event-store.js";
import { registerTopicRoutes } from "./rest-routes.js";
import { StreamConnection } from "./stream-connection.js";
import { DEFAULT_MAX_EVENT_BYTES, PROTOCOL_VERSION_PARAM } from "@weir/protocol/stream";

/** Options of {@link registerEventLog}. */
export interface EventLogPluginOptions {
  /** The folder of `events.db`. */
  readonly dataDir: string;
  /** When set, `/api/stream` and topic writes need `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Largest event accepted (payload plus headers, as `eventSize` of `@weir/protocol/stream` counts it). @default DEFAULT_MAX_EVENT_BYTES (1 MiB) */
  readonly maxEventBytes?: number;
  /**
   * `FULL` (default) fsyncs the WAL at every group commit, so an ack survives power loss;
   * `NORMAL` survives a crash of the server process but not of the machine.
   */
  readonly durability?: Durability;
  /** Published events one connection may have waiting for commit before the server stops reading it. @default 65536 */
  readonly maxPendingEventsPerConnection?: number;
}

/**
 * Adds the embedded event log to a Fastify app: the WebSocket `GET /api/stream` used by
 * `@weir/stream`, the REST routes under `/api/topics`, and its SQLite file `<dataDir>/events.db`
 * (closed on `app.close()`). Resolves with the log, for the server's own publishers (model feedback).
 *
 * @example
 * const app = Fastify();
 * await registerEventLog(app, { dataDir: "./.weir", apiKey: process.env.WEIR_API_KEY });
 * await app.listen({ port: 4200 });
 */
export async function registerEventLog(
  app: FastifyInstance,
  options: EventLogPluginOptions,
): Promise<EventLog> {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const log = new EventLog({
    dataDir: options.dataDir,
    ...(options.durability ? { durability: options.durability } : {}),
  });
  // The server's one API-key check guards `/api/stream` and the topic writes (a no-op when
  // createServer installed it already).
  installApiKeyCheck(app, options.apiKey);
  const connections = new Set<StreamConnection>();
  if (!app.hasPlugin("@fastify/websocket"))
    await app.register(websocket, { options: { maxPayload: Math.max(64 * 1024 * 1024, maxEventBytes * 8) } });

  app.get("/api/stream", { websocket: true }, (socket, request) => {
    const version = (request.query as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_PARAM];
    const connection = new StreamConnection(
      socket,
      log,
      {
        maxEventBytes,
        maxPendingEvents: options.maxPendingEventsPerConnection ?? 65_536,
      },
      typeof version === "string" ? version : undefined,
    );
    connections.add(connection);
    socket.on("close", () => connections.delete(connection));
  });
  registerTopicRoutes(app, log);
  app.addHook("onClose", (_instance, done) => {
    log.close();
    done();
  });
  return log;
}
