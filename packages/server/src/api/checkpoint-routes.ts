import { checkpointNameSchema, checkpointSchema, errorBodySchema, putCheckpointSchema } from "@weir/protocol";
import { z } from "zod";

import { WeirHttpError } from "../errors.js";
import { getCheckpoint, putCheckpoint } from "../storage/checkpoint-repository.js";
import type { ApiDeps, ZodApp } from "./deps.js";

const params = z.object({ scope: checkpointNameSchema, key: checkpointNameSchema });

/** `PUT`/`GET /api/checkpoints/:scope/:key`. */
export function registerCheckpointRoutes(
  app: ZodApp,
  { service, storage, checkpointBodyLimit }: ApiDeps,
): void {
  app.put(
    "/api/checkpoints/:scope/:key",
    {
      bodyLimit: checkpointBodyLimit,
      schema: {
        tags: ["checkpoints"],
        summary: "Store a JSON value atomically (conditional on expectedVersion when given)",
        params,
        body: putCheckpointSchema,
        response: {
          200: z.object({
            scope: z.string(),
            key: z.string(),
            version: z.number().int(),
            updatedAt: z.string(),
          }),
          409: errorBodySchema,
        },
      },
    },
    async (request) => {
      const { scope, key } = request.params;
      const { value, expectedVersion } = request.body;
      const outcome = await service.write((trx) =>
        putCheckpoint(trx, scope, key, value, expectedVersion, Date.now()),
      );
      if (!outcome.ok)
        throw new WeirHttpError(
          409,
          "WEIR_VERSION_CONFLICT",
          `Checkpoint ${scope}/${key} is at version ${outcome.currentVersion}, not ${expectedVersion}: another writer saved it. Load it again and retry.`,
          { details: { currentVersion: outcome.currentVersion } },
        );
      const { version, updatedAt } = outcome.checkpoint;
      return { scope, key, version, updatedAt };
    },
  );

  app.get(
    "/api/checkpoints/:scope/:key",
    {
      schema: {
        tags: ["checkpoints"],
        summary: "Load a checkpoint",
        params,
        response: { 200: checkpointSchema },
      },
    },
    async (request) => {
      const { scope, key } = request.params;
      const checkpoint = await getCheckpoint(storage.db, scope, key);
      if (checkpoint === undefined)
        throw new WeirHttpError(
          404,
          "WEIR_CHECKPOINT_NOT_FOUND",
          `No checkpoint ${scope}/${key} has been saved yet.`,
        );
      return checkpoint;
    },
  );
}
