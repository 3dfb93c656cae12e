import {
  createDeploymentSchema,
  deploymentListQuerySchema,
  deploymentSchema,
  deploymentVersionQuerySchema,
  deploymentVersionSchema,
  errorBodySchema,
  runDeploymentSchema,
  runSchema,
  schedulePreviewQuerySchema,
  schedulePreviewSchema,
} from "@weir/protocol";
import { z } from "zod";

import { WeirHttpError } from "../errors.js";
import type { DeploymentService } from "../services/deployment-service.js";
import { slotSource } from "../services/schedules.js";
import { iso } from "../storage/cursor.js";
import type { ZodApp } from "./deps.js";

const idOrName = z.object({
  idOrName: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters; give a deployment's id or name"),
});
const errors = { 400: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

/** `/api/deployments`, "Run now" and `/api/schedule/preview`. */
export function registerDeploymentRoutes(app: ZodApp, deployments: DeploymentService): void {
  app.post(
    "/api/deployments",
    {
      schema: {
        tags: ["deployments"],
        summary: "Create a deployment, or a new version of it when its body changed (upsert by name)",
        body: createDeploymentSchema,
        response: { 200: deploymentSchema, 201: deploymentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { deployment, created } = await deployments.upsert(request.body);
      return reply.code(created ? 201 : 200).send(deployment);
    },
  );

  app.get(
    "/api/deployments",
    {
      schema: {
        tags: ["deployments"],
        summary: "Every deployment (of a pool), by name",
        querystring: deploymentListQuerySchema,
        response: { 200: z.array(deploymentSchema) },
      },
    },
    (request) => deployments.list(request.query.pool),
  );

  app.get(
    "/api/deployments/:idOrName",
    {
      schema: {
        tags: ["deployments"],
        summary: "One deployment, with its next slots and last runs",
        params: idOrName,
        response: { 200: deploymentSchema, ...errors },
      },
    },
    (request) => deployments.get(request.params.idOrName),
  );

  app.get(
    "/api/deployments/:idOrName/versions",
    {
      schema: {
        tags: ["deployments"],
        summary: "Its versions, newest first: the body each fixed and what changed from the one before",
        params: idOrName,
        querystring: deploymentVersionQuerySchema,
        response: { 200: z.array(deploymentVersionSchema), ...errors },
      },
    },
    (request) => deployments.versions(request.params.idOrName, request.query),
  );

  app.delete(
    "/api/deployments/:idOrName",
    {
      schema: {
        tags: ["deployments"],
        summary: "Delete a deployment (its waiting runs go; running ones go on; history stays)",
        params: idOrName,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await deployments.remove(request.params.idOrName);
      return reply.code(204).send(null);
    },
  );

  for (const action of ["pause", "resume"] as const)
    app.post(
      `/api/deployments/:idOrName/${action}`,
      {
        schema: {
          tags: ["deployments"],
          summary:
            action === "pause"
              ? "Pause: no new slots, waiting slots dropped, no restarts"
              : "Resume: slots from now on",
          params: idOrName,
          response: { 200: deploymentSchema, ...errors },
        },
      },
      (request) => deployments.setPaused(request.params.idOrName, action === "pause"),
    );

  app.post(
    "/api/deployments/:idOrName/runs",
    {
      schema: {
        tags: ["deployments"],
        summary: "Run now: a Pending run with the parameters merged over the defaults",
        params: idOrName,
        body: runDeploymentSchema.optional(),
        response: { 201: runSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await deployments.runNow(request.params.idOrName, request.body ?? {})),
  );

  app.get(
    "/api/schedule/preview",
    {
      schema: {
        tags: ["deployments"],
        summary: "A schedule in words and its next slots",
        querystring: schedulePreviewQuerySchema,
        response: { 200: schedulePreviewSchema, 400: errorBodySchema },
      },
    },
    (request) => {
      const { cron, timezone, intervalMs, anchor, count } = request.query;
      if ((cron === undefined) === (intervalMs === undefined))
        throw new WeirHttpError(
          400,
          "WEIR_VALIDATION",
          "Give either cron (with an optional timezone) or intervalMs (with an optional anchor), e.g. ?cron=*/5+*+*+*+*&timezone=Europe/Berlin.",
        );
      const source = slotSource(
        cron !== undefined
          ? { cron, ...(timezone !== undefined ? { timezone } : {}) }
          : { intervalMs: intervalMs!, ...(anchor !== undefined ? { anchor } : {}) },
      );
      return {
        description: source.description,
        next: source.after(Date.now(), count).map((t) => iso(t) ?? ""),
      };
    },
  );
}
