import {
  createRunSchema,
  errorBodySchema,
  idSchema,
  pageSchema,
  runListQuerySchema,
  runSchema,
  stateHistoryEntrySchema,
  stateProposalSchema,
  transitionAcceptedSchema,
  transitionRejectedSchema,
} from "@weir/protocol";
import { z } from "zod";

import { WeirHttpError, runNotFound } from "../errors.js";
import { listRuns } from "../storage/run-list.js";
import { getRunRow, listStates } from "../storage/run-repository.js";
import { toRun } from "../storage/run-rows.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const idParams = z.object({ id: idSchema });

/** `/api/runs` and its state endpoints. */
export function registerRunRoutes(app: ZodApp, { service, storage }: ApiDeps): void {
  app.post(
    "/api/runs",
    {
      schema: {
        tags: ["runs"],
        summary: "Create a flow run or task run (idempotent on a given id)",
        body: createRunSchema,
        response: { 200: runSchema, 201: runSchema, 409: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { run, created } = await service.createRun(request.body);
      if (!created && (run.flowName !== request.body.flowName || run.kind !== request.body.kind))
        throw new WeirHttpError(
          409,
          "WEIR_RUN_CONFLICT",
          `Run ${run.id} already exists as a ${run.kind} run of "${run.flowName}"; use a fresh id for a new run.`,
        );
      return reply.code(created ? 201 : 200).send(run);
    },
  );

  app.get(
    "/api/runs",
    {
      schema: {
        tags: ["runs"],
        summary: "List runs, newest first, by cursor",
        querystring: runListQuerySchema,
        response: { 200: pageSchema(runSchema) },
      },
    },
    (request) => listRuns(storage.db, request.query, storage.dialect),
  );

  app.get(
    "/api/runs/:id",
    { schema: { tags: ["runs"], summary: "One run", params: idParams, response: { 200: runSchema } } },
    async (request) => {
      const row = await getRunRow(storage.db, request.params.id);
      if (row === undefined) throw runNotFound(request.params.id);
      return toRun(row);
    },
  );

  app.post(
    "/api/runs/:id/state",
    {
      schema: {
        tags: ["runs"],
        summary: "Propose a state transition (a repeated transition id is idempotent)",
        params: idParams,
        body: stateProposalSchema,
        response: { 200: transitionAcceptedSchema, 409: transitionRejectedSchema.or(errorBodySchema) },
      },
    },
    async (request, reply) => {
      const outcome = await service.transition(request.params.id, request.body);
      if (outcome.kind === "accepted") return { accepted: true as const, run: outcome.run };
      return reply.code(409).send({
        accepted: false as const,
        reason: outcome.reason,
        run: outcome.run,
        error: { code: "WEIR_INVALID_TRANSITION", message: outcome.reason },
      });
    },
  );

  app.get(
    "/api/runs/:id/states",
    {
      schema: {
        tags: ["runs"],
        summary: "State history, oldest first",
        params: idParams,
        response: { 200: z.array(stateHistoryEntrySchema) },
      },
    },
    async (request) => {
      const states = await listStates(storage.db, request.params.id);
      if (states.length === 0 && (await getRunRow(storage.db, request.params.id)) === undefined)
        throw runNotFound(request.params.id);
      return states;
    },
  );

  app.post(
    "/api/runs/:id/heartbeat",
    {
      schema: {
        tags: ["runs"],
        summary: "Liveness ping (revives a run the liveness check marked Crashed)",
        params: idParams,
        response: { 200: z.object({ ok: z.literal(true), revived: z.boolean(), cancel: z.array(idSchema) }) },
      },
    },
    async (request) => {
      const { found, revived, cancel } = await service.heartbeat(request.params.id);
      if (!found) throw runNotFound(request.params.id);
      return { ok: true as const, revived, cancel };
    },
  );
}
