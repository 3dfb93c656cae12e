import { z } from "zod";

import { jsonValueSchema } from "./common.js";

/** A checkpoint scope or key: letters, digits and `_ . : -`, up to 200 characters. */
export const checkpointNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/, "must contain only letters, digits and _ . : -");

/**
 * `PUT /api/checkpoints/:scope/:key` body. `expectedVersion` makes the write conditional:
 * `0` means "must not exist yet", `n` means "the stored version must be n" (else `409`).
 * @example putCheckpointSchema.parse({ value: { model, lastOffset: 1041 }, expectedVersion: 3 });
 */
export const putCheckpointSchema = z.object({
  value: jsonValueSchema.refine((v) => v !== undefined, "is required (any JSON value)"),
  expectedVersion: z.number().int().min(0).optional(),
});

/** `PUT /api/checkpoints/:scope/:key` body. */
export type PutCheckpoint = z.input<typeof putCheckpointSchema>;

/**
 * A stored checkpoint.
 * @example checkpointSchema.parse(await (await fetch(`${api}/api/checkpoints/model/state`)).json()).value;
 */
export const checkpointSchema = z.object({
  scope: z.string(),
  key: z.string(),
  value: z.unknown(),
  version: z.number().int(),
  updatedAt: z.string(),
});

/** A stored checkpoint. */
export type Checkpoint = z.infer<typeof checkpointSchema>;
