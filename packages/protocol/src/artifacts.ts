import { z } from "zod";

import { idSchema, jsonDepthExceeds, TOO_DEEP_MESSAGE } from "./common.js";

/** Artifact types. */
export const ARTIFACT_TYPES = ["markdown", "table", "link"] as const;

/** An artifact key: lowercase letters, digits and dashes (so it is safe in a URL). */
export const artifactKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, e.g. model-report");

const tableDataSchema = z
  .union([
    z.array(z.record(z.string(), z.unknown())),
    z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.unknown())) }),
  ])
  .refine((v) => !jsonDepthExceeds(v), TOO_DEEP_MESSAGE);

/**
 * `POST /api/runs/:id/artifacts` body. Markdown and link data are strings; a table is rows.
 * @example createArtifactSchema.parse({ key: "model-report", type: "markdown", data: "# Precision 0.81" });
 */
export const createArtifactSchema = z.discriminatedUnion("type", [
  z.object({
    key: artifactKeySchema.optional(),
    type: z.literal("markdown"),
    data: z.string().max(1_000_000),
    description: z.string().max(10_000).optional(),
  }),
  z.object({
    key: artifactKeySchema.optional(),
    type: z.literal("table"),
    data: tableDataSchema,
    description: z.string().max(10_000).optional(),
  }),
  z.object({
    key: artifactKeySchema.optional(),
    type: z.literal("link"),
    data: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(4000),
    description: z.string().max(10_000).optional(),
  }),
]);

/** `POST /api/runs/:id/artifacts` body. */
export type CreateArtifact = z.input<typeof createArtifactSchema>;

/**
 * A stored artifact. `version` counts from 1 per key (always 1 for an unkeyed artifact).
 * @example artifactSchema.parse(await (await fetch(`${api}/api/artifacts/model-report`)).json()).version;
 */
export const artifactSchema = z.object({
  id: idSchema,
  key: z.string().nullable(),
  version: z.number().int(),
  runId: idSchema,
  type: z.enum(ARTIFACT_TYPES),
  data: z.unknown(),
  description: z.string().nullable(),
  createdAt: z.string(),
});

/** A stored artifact. */
export type Artifact = z.infer<typeof artifactSchema>;
