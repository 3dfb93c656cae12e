import { z } from "zod";

import { idSchema } from "./common.js";
import { logInputSchema } from "./logs.js";
import { metricInputSchema } from "./metrics.js";
import { createRunSchema, runStateProposalSchema } from "./runs.js";

/**
 * A run creation inside an ingest batch: as `POST /api/runs`, but the client must choose the id.
 * @example ingestRunSchema.parse({ id: crypto.randomUUID(), kind: "task", flowName: "f", taskName: "load" });
 */
export const ingestRunSchema = createRunSchema.extend({ id: idSchema });

/** The most items of each kind one ingest batch may carry. */
export const INGEST_MAX_ITEMS = 10_000;

/**
 * `POST /api/ingest` body: what `@weir/flow` batches about every second.
 * @example ingestBatchSchema.parse({ logs: [{ runId, seq: 0, level: "info", message: "started" }], heartbeats: [runId] });
 */
export const ingestBatchSchema = z.object({
  runs: z.array(ingestRunSchema).max(INGEST_MAX_ITEMS).optional(),
  logs: z.array(logInputSchema).max(INGEST_MAX_ITEMS).optional(),
  metrics: z.array(metricInputSchema).max(INGEST_MAX_ITEMS).optional(),
  states: z.array(runStateProposalSchema).max(INGEST_MAX_ITEMS).optional(),
  heartbeats: z.array(idSchema).max(INGEST_MAX_ITEMS).optional(),
});

/** `POST /api/ingest` body. */
export type IngestBatch = z.input<typeof ingestBatchSchema>;

/** A state proposal of a batch that the server refused (it is not retried). */
export const rejectedStateSchema = z.object({ runId: idSchema, id: idSchema, reason: z.string() });

/**
 * `POST /api/ingest` answer. `accepted.runs` counts runs created, `duplicates.runs` runs that
 * already existed (a replay); `duplicates` counts items already stored (same run and seq);
 * `rejected` counts items for runs that do not exist and refused transitions; `revived` lists the
 * runs whose heartbeat moved them back to Running from a liveness `Crashed` (they were alive);
 * `cancel` lists the batch's runs with a cancel request (the client aborts their signal).
 * @example ingestResultSchema.parse(answer).duplicates.logs; // lines already stored
 */
export const ingestResultSchema = z.object({
  accepted: z.object({
    runs: z.number().int(),
    logs: z.number().int(),
    metrics: z.number().int(),
    states: z.number().int(),
  }),
  duplicates: z.object({ runs: z.number().int(), logs: z.number().int(), metrics: z.number().int() }),
  rejected: z.object({
    logs: z.number().int(),
    metrics: z.number().int(),
    heartbeats: z.number().int(),
    states: z.array(rejectedStateSchema),
  }),
  revived: z.array(idSchema),
  /** Runs of this batch (heartbeats or any item) with a cancel request: abort them. */
  cancel: z.array(idSchema),
});

/** `POST /api/ingest` answer. */
export type IngestResult = z.infer<typeof ingestResultSchema>;
