import { z } from "zod";

import { idSchema, jsonObjectSchema, pageQuerySchema, timestampSchema } from "./common.js";
import { STATE_TYPES, stateTypeSchema } from "./states.js";

/** A flow run or a task run. */
export const runKindSchema = z.enum(["flow", "task"]);

/** A flow run or a task run. */
export type RunKind = z.infer<typeof runKindSchema>;

const noNul = (s: string) => !s.includes("\u0000");
const nameSchema = z.string().min(1).max(200).refine(noNul, "must not contain NUL characters");

/**
 * `POST /api/runs` body. A given `id` makes creation idempotent (a replay returns the stored run).
 * @example createRunSchema.parse({ flowName: "run-yelp-data-publisher", state: "Running" });
 */
export const createRunSchema = z.object({
  id: idSchema.optional(),
  kind: runKindSchema.default("flow"),
  flowName: nameSchema,
  taskName: nameSchema.optional(),
  name: nameSchema.optional(),
  parentRunId: idSchema.optional(),
  flowRunId: idSchema.optional(),
  parameters: jsonObjectSchema.optional(),
  tags: z
    .array(z.string().min(1).max(100).refine(noNul, "must not contain NUL characters"))
    .max(50)
    .optional(),
  version: z.string().max(100).refine(noNul, "must not contain NUL characters").optional(),
  description: z.string().max(2000).refine(noNul, "must not contain NUL characters").optional(),
  heartbeatIntervalSeconds: z.number().positive().max(86_400).optional(),
  state: z.enum(["Scheduled", "Pending", "Running"]).optional(),
  timestamp: timestampSchema.optional(),
});

/** `POST /api/runs` body. */
export type CreateRun = z.input<typeof createRunSchema>;

/**
 * A run as the server returns it.
 * @example const run = runSchema.parse(await (await fetch(`${api}/api/runs/${id}`)).json());
 */
export const runSchema = z.object({
  id: idSchema,
  kind: runKindSchema,
  flowName: z.string(),
  taskName: z.string().nullable(),
  name: z.string(),
  parentRunId: idSchema.nullable(),
  flowRunId: idSchema.nullable(),
  parameters: jsonObjectSchema,
  tags: z.array(z.string()),
  version: z.string().nullable(),
  /** What the flow or task does (its `description` option). */
  description: z.string().nullable(),
  state: stateTypeSchema,
  stateMessage: z.string().nullable(),
  stateTimestamp: z.string(),
  createdAt: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  durationMs: z.number().nullable(),
  runCount: z.number().int(),
  heartbeatIntervalSeconds: z.number().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  /** The deployment (and its version) this run belongs to; `null` for a hand-started run. */
  deploymentId: idSchema.nullable(),
  deploymentVersion: z.number().int().nullable(),
  /** The work pool whose workers may claim it. */
  workPool: z.string().nullable(),
  /** The worker that claimed it. */
  workerId: idSchema.nullable(),
  /** The schedule slot (or "Run now" instant) it was created for. */
  scheduledFor: z.string().nullable(),
  /** The run this one restarts (restart policy). */
  restartOf: idSchema.nullable(),
  /** The run "Retry" was pressed on. */
  retryOf: idSchema.nullable(),
  /** When a cancel was requested. */
  cancelRequestedAt: z.string().nullable(),
  /** The hard timeout a worker enforces. */
  timeoutSeconds: z.number().nullable(),
});

/** A run as the server returns it. */
export type Run = z.infer<typeof runSchema>;

/**
 * A proposed state transition. A repeated `id` is idempotent.
 * @example stateProposalSchema.parse({ id: crypto.randomUUID(), type: "Completed" });
 */
export const stateProposalSchema = z.object({
  id: idSchema,
  type: stateTypeSchema,
  message: z.string().max(10_000).optional(),
  timestamp: timestampSchema.optional(),
});

/** A proposed state transition. */
export type StateProposal = z.input<typeof stateProposalSchema>;

/** A state transition inside an ingest batch (names its run). */
export const runStateProposalSchema = stateProposalSchema.extend({ runId: idSchema });

/** A state transition inside an ingest batch. */
export type RunStateProposal = z.input<typeof runStateProposalSchema>;

/** One entry of a run's state history. */
export const stateHistoryEntrySchema = z.object({
  id: idSchema,
  type: stateTypeSchema,
  message: z.string().nullable(),
  timestamp: z.string(),
});

/** One entry of a run's state history. */
export type StateHistoryEntry = z.infer<typeof stateHistoryEntrySchema>;

/** `POST /api/runs/:id/state` answer when accepted. */
export const transitionAcceptedSchema = z.object({ accepted: z.literal(true), run: runSchema });

/** `POST /api/runs/:id/state` answer (409) when rejected. */
export const transitionRejectedSchema = z.object({
  accepted: z.literal(false),
  reason: z.string(),
  run: runSchema,
  error: z.object({ code: z.string(), message: z.string() }),
});

/** The answer to a proposed transition. */
export type TransitionResult =
  z.infer<typeof transitionAcceptedSchema> | z.infer<typeof transitionRejectedSchema>;

/** Sort orders of `GET /api/runs`. */
export const RUN_SORTS = ["start-desc", "start-asc", "duration-desc", "duration-asc"] as const;

const stateListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).filter(Boolean))
  .pipe(z.array(z.enum(STATE_TYPES)).max(STATE_TYPES.length * 2));

/**
 * `GET /api/runs` query.
 * @example runListQuerySchema.parse({ state: "Running,Failed", flow: "publisher" }).state; // ["Running", "Failed"]
 */
export const runListQuerySchema = pageQuerySchema.extend({
  kind: runKindSchema.default("flow"),
  state: stateListSchema.optional(),
  flow: z.string().max(200).optional(),
  tag: z.string().max(100).optional(),
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
  q: z.string().max(200).optional(),
  parentRunId: idSchema.optional(),
  flowRunId: idSchema.optional(),
  deploymentId: idSchema.optional(),
  sort: z.enum(RUN_SORTS).default("start-desc"),
});

/** `GET /api/runs` query. */
export type RunListQuery = z.input<typeof runListQuerySchema>;
