import { idSchema } from "@weir/protocol";
import type { LiveEvent } from "@weir/protocol";
import { z } from "zod";

import { eventRunIds } from "../services/event-bus.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const KEEP_ALIVE_MS = 15_000;

/** One serialization per event, however many dashboards listen. */
const encoded = new WeakMap<LiveEvent, string>();
function encode(event: LiveEvent): string {
  let text = encoded.get(event);
  if (text === undefined) {
    text = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    encoded.set(event, text);
  }
  return text;
}
/** A client that stops reading is dropped once this much output is waiting for it. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * `GET /api/events`: Server-Sent Events of stored changes (`run`, `log`, `metric`, `artifact`),
 * optionally narrowed to one run (`?runId=`: the run, its task runs and child runs, their logs,
 * metrics and artifacts).
 */
export function registerEventsRoute(app: ZodApp, { bus, shutdown }: ApiDeps): void {
  app.get(
    "/api/events",
    {
      schema: {
        tags: ["live"],
        summary: "Server-Sent Events: run, log, metric, artifact",
        querystring: z.object({ runId: idSchema.optional() }),
      },
    },
    (request, reply) => {
      const runId = request.query.runId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write(": connected\nretry: 2000\n\n");
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(keepAlive);
        shutdown.removeEventListener("abort", close);
        res.end();
      };
      const unsubscribe = bus.subscribe((event) => {
        if (runId !== undefined && !eventRunIds(event).includes(runId)) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) return close();
        res.write(encode(event));
      });
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      keepAlive.unref();
      shutdown.addEventListener("abort", close);
      request.raw.on("close", close);
      res.on("error", close);
    },
  );
}
