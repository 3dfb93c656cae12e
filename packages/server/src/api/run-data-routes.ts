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
import { Readable } from "node:stream";

import { z } from "zod";

import { WeirHttpError, runNotFound } from "../errors.js";
import { listArtifactVersions, listRunArtifacts } from "../storage/artifact-repository.js";
import { countLogs, listLogs, logText } from "../storage/log-repository.js";
import { listSeries } from "../storage/metric-repository.js";
import { getRunRow } from "../storage/run-repository.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const idParams = z.object({ id: idSchema });
const logDownloadQuerySchema = logQuerySchema.pick({ level: true, q: true, taskRunId: true });

/** A file name for a header: the run's names, with anything but letters, digits, `.`, `-` and `_` as `_`. */
const fileName = (flowName: string, runName: string): string =>
  `${flowName}-${runName}-logs.txt`.replace(/[^\w.-]+/g, "_");

/** Logs, metrics and artifacts of a run. */
export function registerRunDataRoutes(app: ZodApp, { service, storage }: ApiDeps): void {
  /** A task run's own lines; a flow run's lines (of one of its tasks, with `taskRunId`). */
  const logScope = (run: { id: string; kind: string }, taskRunId: string | undefined) =>
    run.kind === "task" ? { taskRunId: run.id } : { runId: run.id, ...(taskRunId ? { taskRunId } : {}) };
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
      return listLogs(storage.db, logScope(run, request.query.taskRunId), request.query, storage.dialect);
    },
  );

  app.get(
    "/api/runs/:id/logs/download",
    {
      schema: {
        tags: ["logs"],
        summary: "A run's logs matching the filters as a text file, streamed oldest first",
        description:
          "One line per log line: ISO time, level, message, fields as JSON. `X-Weir-Line-Count` says how many log lines follow (a message may span several text lines).",
        params: idParams,
        querystring: logDownloadQuerySchema,
      },
    },
    async (request, reply) => {
      const run = await requireRun(request.params.id);
      const scope = logScope(run, request.query.taskRunId);
      const total = await countLogs(storage.db, scope, request.query, storage.dialect);
      void reply
        .header("content-type", "text/plain; charset=utf-8")
        .header("content-disposition", `attachment; filename="${fileName(run.flow_name, run.name)}"`)
        .header("x-weir-line-count", String(total))
        .header("cache-control", "no-store");
      return reply.send(Readable.from(logText(storage.db, scope, request.query, storage.dialect)));
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
