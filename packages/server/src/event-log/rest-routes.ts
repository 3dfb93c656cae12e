import type { Page, TopicEvent, TopicSummary } from "@weir/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";

import { EventLogError, assertName } from "./event-log-error.js";
import type { EventLog } from "./event-log.js";
import { dataBytes } from "./event-store.js";
import type { StoredEvent } from "./event-store.js";

const TEXTUAL = /^(text\/|application\/(json|xml|x-ndjson|csv|javascript)|.*\+json$)/;

/** An event as `GET /api/topics/:name/events` returns it: text payloads as UTF-8, others as base64. */
export function eventView(event: StoredEvent): TopicEvent {
  const textual = TEXTUAL.test(event.mimetype);
  return {
    id: event.id,
    topic: event.topic,
    offset: event.offset,
    mimetype: event.mimetype,
    typeName: event.typeName,
    typeVersion: event.typeVersion,
    metadata: event.metadata === null ? {} : (JSON.parse(event.metadata) as Record<string, string>),
    createdAt: new Date(event.createdAt).toISOString(),
    size: event.size,
    encoding: textual ? "utf8" : "base64",
    data:
      textual && typeof event.data === "string"
        ? event.data
        : dataBytes(event.data).toString(textual ? "utf8" : "base64"),
  };
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof EventLogError)
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  throw error;
}

function optionalInt(
  value: unknown,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined || value === "") return undefined;
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new EventLogError("WEIR_VALIDATION", `${name} must be an integer from ${min} to ${max}.`);
  return number;
}

/**
 * The REST view of the event log used by the dashboard and the CLI:
 * `GET/POST /api/topics`, `GET/DELETE /api/topics/:name`, `GET /api/topics/:name/events`.
 */
export function registerTopicRoutes(app: FastifyInstance, log: EventLog): void {
  app.get("/api/topics", async (_request, reply) => {
    const items = log.topicNames().map((name) => log.summary(log.topic(name)));
    const page: Page<TopicSummary> = { items, nextCursor: null, total: items.length, totalCapped: false };
    return reply.send(page);
  });

  app.get<{ Params: { name: string } }>("/api/topics/:name", async (request, reply) => {
    try {
      return reply.send(log.summary(log.topic(request.params.name)));
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.post<{ Body: { name?: unknown; maxAgeMs?: unknown; maxBytes?: unknown; ifMissing?: unknown } }>(
    "/api/topics",
    async (request, reply) => {
      try {
        const body = request.body ?? {};
        assertName("topic", body.name);
        const maxAgeMs = optionalInt(body.maxAgeMs, "maxAgeMs", 1);
        const maxBytes = optionalInt(body.maxBytes, "maxBytes", 1);
        const existed = log.topicNames().includes(body.name);
        const topic = log.createTopic(
          body.name,
          {
            ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
            ...(maxBytes === undefined ? {} : { maxBytes }),
          },
          body.ifMissing === true,
        );
        return reply.code(existed ? 200 : 201).send(topic);
      } catch (error) {
        return sendError(reply, error);
      }
    },
  );

  app.delete<{ Params: { name: string } }>("/api/topics/:name", async (request, reply) => {
    try {
      log.deleteTopic(request.params.name);
      return reply.code(204).send();
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get<{ Params: { name: string }; Querystring: { from?: string; limit?: string } }>(
    "/api/topics/:name/events",
    async (request, reply) => {
      try {
        const topic = log.topic(request.params.name);
        const from = optionalInt(request.query.from, "from", 0);
        const limit = optionalInt(request.query.limit, "limit", 1, 500) ?? 50;
        const events = log.recent(topic, from, limit);
        const last = events.at(-1);
        const nextCursor = last && last.offset < topic.lastOffset() ? String(last.offset + 1) : null;
        const page: Page<TopicEvent> = {
          items: events.map(eventView),
          nextCursor,
          total: topic.count,
          totalCapped: false,
        };
        return reply.send(page);
      } catch (error) {
        return sendError(reply, error);
      }
    },
  );
}
