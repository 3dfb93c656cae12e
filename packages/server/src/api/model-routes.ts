import { promisify } from "node:util";
import { gunzip } from "node:zlib";

import {
  aliasNameSchema,
  modelAliasChangeSchema,
  modelAliasSchema,
  modelDetailSchema,
  modelNameSchema,
  modelSummarySchema,
  modelVersionSchema,
  publishModelVersionSchema,
  setModelAliasSchema,
} from "@weir/protocol";
import type { FastifySchemaCompiler } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import { z } from "zod";

import type { Models } from "../models/models-module.js";
import { aliasHistory, getCheckpointBlob } from "../storage/model-repository.js";
import type { ZodApp } from "./deps.js";
import { readAliasBody } from "./model-bodies.js";

const gunzipAsync = promisify(gunzip);

const nameParams = z.object({ name: modelNameSchema });
const versionParams = nameParams.extend({ version: z.coerce.number().int().min(1) });
const aliasParams = nameParams.extend({ alias: aliasNameSchema });
const tags = ["models"];

/**
 * The model registry: `GET /api/models`, `POST /api/models/:name/versions`, `GET /api/models/:name`,
 * `GET /api/models/:name/versions/:version[/checkpoint]`, `PUT`/`DELETE /api/models/:name/aliases/:alias`
 * and `GET /api/models/:name/aliases/:alias/history`.
 */
export function registerModelRoutes(app: ZodApp, models: Models): void {
  const { registry } = models;

  app.get(
    "/api/models",
    {
      schema: {
        tags,
        summary: "List models with their aliases and live figures",
        response: { 200: z.array(modelSummarySchema) },
      },
    },
    () => registry.list(),
  );

  app.post(
    "/api/models/:name/versions",
    {
      bodyLimit: models.publishBodyLimit,
      schema: {
        tags,
        summary: "Publish a new immutable version (a @weir/learn checkpoint)",
        params: nameParams,
        body: publishModelVersionSchema,
        response: { 201: modelVersionSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await registry.publish(request.params.name, request.body)),
  );

  app.get(
    "/api/models/:name",
    {
      schema: {
        tags,
        summary: "A model with every version, newest first",
        params: nameParams,
        response: { 200: modelDetailSchema },
      },
    },
    (request) => registry.detail(request.params.name),
  );

  app.get(
    "/api/models/:name/versions/:version",
    {
      schema: {
        tags,
        summary: "One version's metadata",
        params: versionParams,
        response: { 200: modelVersionSchema },
      },
    },
    (request) => registry.version(request.params.name, request.params.version),
  );

  app.get(
    "/api/models/:name/versions/:version/checkpoint",
    { schema: { tags, summary: "One version's checkpoint (the model's toJSON())", params: versionParams } },
    async (request, reply) => {
      const { name, version } = request.params;
      const blob = await getCheckpointBlob(models.storage.db, name, version);
      // The metadata call names what is missing: the model or the version.
      if (blob === undefined) await registry.version(name, version);
      const text = (await gunzipAsync((blob as { checkpoint: Buffer }).checkpoint)).toString("utf8");
      return reply.type("application/json; charset=utf-8").send(text);
    },
  );

  app.put(
    "/api/models/:name/aliases/:alias",
    {
      schema: {
        tags,
        summary: "Promote or roll back (point the alias at a version), or follow the latest",
        params: aliasParams,
        body: setModelAliasSchema,
        response: { 200: modelAliasSchema },
      },
      // Checked by hand: the union's own message would not say which field is wrong.
      validatorCompiler: bodyByHand(),
    },
    (request) => registry.setAlias(request.params.name, request.params.alias, readAliasBody(request.body)),
  );

  app.delete(
    "/api/models/:name/aliases/:alias",
    { schema: { tags, summary: "Delete an alias", params: aliasParams } },
    async (request, reply) => {
      await registry.deleteAlias(request.params.name, request.params.alias);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/models/:name/aliases/:alias/history",
    {
      schema: {
        tags,
        summary: "Every change of an alias, oldest first",
        params: aliasParams,
        response: { 200: z.array(modelAliasChangeSchema) },
      },
    },
    async (request) => {
      const { name, alias } = request.params;
      await registry.model(name);
      return aliasHistory(models.storage.db, name, alias);
    },
  );
}

/**
 * A route's validator compiler that leaves the body to the handler (which checks it by hand, for
 * speed or for clearer messages) and validates params and query with their zod schemas.
 */
export function bodyByHand<S>(): FastifySchemaCompiler<S> {
  return (route) =>
    route.httpPart === "body"
      ? (data: unknown) => ({ value: data })
      : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
}
