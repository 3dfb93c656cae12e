import {
  artifactKeySchema,
  artifactSchema,
  createArtifactSchema,
  idSchema,
  logLineSchema,
  logQuerySchema,
  metricQuerySchema,
  metricSeriesSchema,
  pageSchema,
} from "@weir/protocol";
import { z } from "zod";

import { WeirHttpError, runNotFound } from "../errors.js";
import { listArtifactVersions, listRunArtifacts } from "../storage/artifact-repository.js";
import { listLogs } from "../storage/log-repository.js";
import { listSeries } from "../storage/metric-repository.js";
import { getRunRow } from "../storage/run-repository.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const idParams = z.object({ id: idSchema });

/** Logs, metrics and artifacts of a run. */
export function registerRunDataRoutes(app: ZodApp, { service, storage }: ApiDeps): void {
  const requireRun = async (id: string) => {
    const row = await getRunRow(storage.db, id);
    if (row === undefined) throw runNotFound(id);
    return row;
  };

  app.get(
    "/api/runs/:id/logs",
    {
      schema: {
        tags: ["logs"],
        summary: "A run's logs (a task run's own lines for a task run), by cursor",
        params: idParams,
        querystring: logQuerySchema,
        response: { 200: pageSchema(logLineSchema) },
      },
    },
    async (request) => {
      const run = await requireRun(request.params.id);
      const scope =
        run.kind === "task"
          ? { taskRunId: run.id }
          : { runId: run.id, ...(request.query.taskRunId ? { taskRunId: request.query.taskRunId } : {}) };
      return listLogs(storage.db, scope, request.query, storage.dialect);
    },
  );

  app.get(
    "/api/runs/:id/metrics",
    {
      schema: {
        tags: ["metrics"],
        summary: "A run's metric series (the latest maxPoints points of each)",
        params: idParams,
        querystring: metricQuerySchema,
        response: { 200: z.array(metricSeriesSchema) },
      },
    },
    async (request) => {
      await requireRun(request.params.id);
      return listSeries(storage.db, request.params.id, request.query.name, request.query.maxPoints);
    },
  );

  app.get(
    "/api/runs/:id/artifacts",
    {
      schema: {
        tags: ["artifacts"],
        summary: "A run's artifacts, oldest first",
        params: idParams,
        response: { 200: z.array(artifactSchema) },
      },
    },
    async (request) => {
      await requireRun(request.params.id);
      return listRunArtifacts(storage.db, request.params.id);
    },
  );

  app.post(
    "/api/runs/:id/artifacts",
    {
      schema: {
        tags: ["artifacts"],
        summary: "Create an artifact; the same key gets the next version",
        params: idParams,
        body: createArtifactSchema,
        response: { 201: artifactSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createArtifact(request.params.id, request.body)),
  );

  app.get(
    "/api/artifacts/:key",
    {
      schema: {
        tags: ["artifacts"],
        summary: "The latest version of a keyed artifact (?all=true: every version, newest first)",
        params: z.object({ key: artifactKeySchema }),
        querystring: z.object({ all: z.enum(["true", "false"]).default("false") }),
        response: { 200: z.union([artifactSchema, z.array(artifactSchema)]) },
      },
    },
    async (request) => {
      const all = request.query.all === "true";
      const versions = await listArtifactVersions(storage.db, request.params.key, all ? 10_000 : 1);
      const latest = versions[0];
      if (latest === undefined)
        throw new WeirHttpError(
          404,
          "WEIR_ARTIFACT_NOT_FOUND",
          `No artifact has the key "${request.params.key}".`,
        );
      return all ? versions : latest;
    },
  );
}
