import {
  claimAnswerSchema,
  claimSchema,
  errorBodySchema,
  idSchema,
  runSchema,
  workPoolNameSchema,
  workPoolSchema,
  workerHeartbeatAnswerSchema,
  workerHeartbeatSchema,
  workerListQuerySchema,
  workerSchema,
} from "@weir/protocol";
import { z } from "zod";

import type { DeploymentService } from "../services/deployment-service.js";
import type { WorkerService } from "../services/worker-service.js";
import { listWorkPools, listWorkers } from "../storage/worker-repository.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const idParams = z.object({ id: idSchema });
const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/** Workers and work pools (heartbeat, long-poll claim, lists), cancel and retry of a run. */
export function registerWorkerRoutes(
  app: ZodApp,
  { storage, shutdown }: ApiDeps,
  workers: WorkerService,
  deployments: DeploymentService,
): void {
  app.post(
    "/api/workers/heartbeat",
    {
      schema: {
        tags: ["workers"],
        summary: "A worker's heartbeat; answers the runs it must stop",
        body: workerHeartbeatSchema,
        response: { 200: workerHeartbeatAnswerSchema },
      },
    },
    (request) => workers.heartbeat(request.body),
  );

  app.post(
    "/api/work-pools/:pool/claim",
    {
      schema: {
        tags: ["workers"],
        summary: "Claim due runs of a pool (long poll: waits up to waitMs for work or a cancel)",
        params: z.object({ pool: workPoolNameSchema }),
        body: claimSchema,
        response: { 200: claimAnswerSchema },
      },
    },
    async (request, reply) => {
      // A claim stops waiting when the server shuts down or the worker hangs up.
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      shutdown.addEventListener("abort", stop, { once: true });
      reply.raw.once("close", stop);
      try {
        return await workers.claim(request.params.pool, request.body, abort.signal);
      } finally {
        shutdown.removeEventListener("abort", stop);
      }
    },
  );

  app.get(
    "/api/workers",
    {
      schema: {
        tags: ["workers"],
        summary: "Workers, with their health and how many runs each holds",
        querystring: workerListQuerySchema,
        response: { 200: z.array(workerSchema) },
      },
    },
    (request) => listWorkers(storage.db, request.query.pool, Date.now()),
  );

  app.get(
    "/api/work-pools",
    {
      schema: {
        tags: ["workers"],
        summary: "Work pools with counts",
        response: { 200: z.array(workPoolSchema) },
      },
    },
    () => listWorkPools(storage.db, Date.now()),
  );

  app.post(
    "/api/runs/:id/cancel",
    {
      schema: {
        tags: ["runs"],
        summary: "Cancel a run (Cancelled at once if it has not started, else Cancelling); 409 once ended",
        params: idParams,
        response: { 202: runSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await workers.cancel(request.params.id)),
  );

  app.post(
    "/api/runs/:id/retry",
    {
      schema: {
        tags: ["runs"],
        summary: "Retry a finished run of a deployment: a new run, same parameters, linked by retryOf",
        params: idParams,
        response: { 201: runSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await deployments.retry(request.params.id)),
  );
}
