import { fastParseIngestBatch, ingestBatchSchema, ingestResultSchema } from "@weir/protocol";
import type { FastifySchemaCompiler } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import type { ZodType } from "zod";

import type { ApiDeps, ZodApp } from "./deps.js";

/**
 * Batches of thousands of lines are the hot path: the body is checked by the hand-written
 * equivalent of `ingestBatchSchema`, and only a batch it does not accept goes through zod (which
 * then says what is wrong, or accepts it).
 */
function ingestValidator<S>(
  route: Parameters<FastifySchemaCompiler<S>>[0],
): ReturnType<FastifySchemaCompiler<S>> {
  const slow = validatorCompiler(route as unknown as Parameters<FastifySchemaCompiler<ZodType>>[0]);
  if (route.httpPart !== "body") return slow;
  return (data: unknown) => {
    const fast = fastParseIngestBatch(data);
    return fast !== undefined ? { value: fast } : slow(data);
  };
}

/** `POST /api/ingest`: logs, metrics, states and heartbeats in one transaction. */
export function registerIngestRoutes(app: ZodApp, { service }: ApiDeps): void {
  app.post(
    "/api/ingest",
    {
      validatorCompiler: ingestValidator,
      schema: {
        tags: ["ingest"],
        summary: "Store a batch of logs, metric points, state transitions and heartbeats",
        body: ingestBatchSchema,
        response: { 200: ingestResultSchema },
      },
    },
    (request) => service.ingest(request.body),
  );
}
