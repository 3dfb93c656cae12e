import { z } from "zod";

import { idSchema, jsonObjectSchema, timestampSchema } from "./common.js";
import { runSchema } from "./runs.js";

const noNul = (s: string) => !s.includes("\u0000");
const text = (max: number) => z.string().max(max).refine(noNul, "must not contain NUL characters");
const name = (max: number) => z.string().min(1).max(max).refine(noNul, "must not contain NUL characters");

/** A deployment or work-pool name: letters, digits, `.`, `_`, `-` and spaces, 1–100 characters. */
const deploymentNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.\- ]+$/, "may contain only letters, digits, '.', '_', '-' and spaces");

/** A work-pool name, e.g. `default`. */
export const workPoolNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.-]+$/, "may contain only letters, digits, '.', '_' and '-' (e.g. 'default')");

/**
 * A cron schedule: 5 fields (minute precision) or 6 (a leading seconds field), evaluated in
 * `timezone` (an IANA name, default `UTC`). The server checks the expression and the zone.
 * @example cronScheduleSchema.parse({ cron: "*\/5 * * * *", timezone: "Europe/Berlin" });
 */
export const cronScheduleSchema = z.strictObject({
  cron: name(200),
  timezone: name(100).optional(),
});

/**
 * An interval schedule: a slot every `intervalMs` (≥ 1000) from `anchor` (default 2000-01-01T00:00:00Z,
 * so every replica computes the same slots).
 * @example intervalScheduleSchema.parse({ intervalMs: 60_000 });
 */
export const intervalScheduleSchema = z.strictObject({
  intervalMs: z
    .number()
    .int()
    .min(1000, "must be at least 1000 (one second)")
    .max(366 * 86_400_000),
  anchor: timestampSchema.optional(),
});

/** A deployment's schedule: cron or interval. */
export const scheduleSchema = z.union([cronScheduleSchema, intervalScheduleSchema]);

/** A deployment's schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;

/** Restart modes: `never`, `on-failure` (Failed or Crashed), `always` (any end but Cancelled). */
export const RESTART_MODES = ["never", "on-failure", "always"] as const;

/**
 * What the server does when a run of a deployment ends: restarts it as a new linked run
 * (`restartOf`) after `initialDelayMs · 2^(n−1)` (capped at `maxDelayMs`), at most `maxRestarts`
 * times in a row (`null`: no limit).
 * @example restartPolicySchema.parse({ mode: "always" });
 */
export const restartPolicySchema = z.strictObject({
  mode: z.enum(RESTART_MODES),
  initialDelayMs: z.number().int().min(0).max(86_400_000).default(1000),
  maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
  maxRestarts: z.number().int().min(0).max(1_000_000).nullable().default(null),
});

/** A restart policy as stored. */
export type RestartPolicy = z.infer<typeof restartPolicySchema>;

/**
 * `POST /api/deployments` body. Upsert by `name`: a changed body makes a new `version`.
 * @example createDeploymentSchema.parse({ name: "monitor", flowName: "monitor", entrypoint: "./src/flows.ts:monitor" });
 */
export const createDeploymentSchema = z.strictObject({
  name: deploymentNameSchema,
  flowName: name(200),
  entrypoint: name(1000).pipe(
    z
      .string()
      .regex(/^.+:[A-Za-z_$][\w$]*$/, "must be '<module path>:<export name>', e.g. './src/flows.ts:monitor'"),
  ),
  workingDirectory: name(1000).optional(),
  parameters: jsonObjectSchema.optional(),
  parameterSchema: jsonObjectSchema.optional(),
  tags: z.array(name(100)).max(50).optional(),
  workPool: workPoolNameSchema.optional(),
  description: text(2000).optional(),
  schedule: scheduleSchema.nullable().optional(),
  paused: z.boolean().optional(),
  concurrencyLimit: z.number().int().min(1).max(100_000).nullable().optional(),
  restartPolicy: restartPolicySchema.optional(),
  timeoutSeconds: z
    .number()
    .positive()
    .max(31 * 86_400)
    .nullable()
    .optional(),
  lateAfterMs: z.number().int().min(0).max(86_400_000).optional(),
});

/** `POST /api/deployments` body. */
export type CreateDeployment = z.input<typeof createDeploymentSchema>;

/**
 * A deployment as stored (one version): what a worker needs to start its runs.
 * `parameters` are the defaults; a claimed run carries the merged ones in `run.parameters`.
 */
export const deploymentRecordSchema = z.object({
  id: idSchema,
  name: z.string(),
  version: z.number().int(),
  flowName: z.string(),
  entrypoint: z.string(),
  workingDirectory: z.string().nullable(),
  parameters: jsonObjectSchema,
  parameterSchema: jsonObjectSchema.nullable(),
  tags: z.array(z.string()),
  workPool: z.string(),
  description: z.string().nullable(),
  schedule: scheduleSchema.nullable(),
  paused: z.boolean(),
  concurrencyLimit: z.number().int().nullable(),
  restartPolicy: restartPolicySchema,
  timeoutSeconds: z.number().nullable(),
  lateAfterMs: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A deployment as stored. */
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

/**
 * A deployment as `GET /api/deployments[/:idOrName]` returns it: the record, its schedule in
 * words, the next 5 slots (empty when paused or unscheduled) and the last 5 runs, newest first.
 * @example deploymentSchema.parse(await (await fetch(`${api}/api/deployments/monitor`)).json()).nextRuns;
 */
export const deploymentSchema = deploymentRecordSchema.extend({
  scheduleDescription: z.string().nullable(),
  nextRuns: z.array(z.string()),
  lastRuns: z.array(runSchema),
});

/** A deployment as the server returns it. */
export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * One stored version of a deployment as `GET /api/deployments/:idOrName/versions` returns it:
 * the body it fixed (`spec`: every versioned field, defaults applied) and what changed from the
 * version before (`changes`, empty for version 1): one entry per changed field, nested objects
 * by dotted path (`parameters.threshold`), arrays whole; `from`/`to` absent when the field was
 * added/removed.
 * @example deploymentVersionSchema.array().parse(await (await fetch(`${api}/api/deployments/monitor/versions`)).json())[0].changes;
 */
export const deploymentVersionSchema = z.object({
  version: z.number().int(),
  createdAt: z.string(),
  spec: deploymentRecordSchema.omit({
    id: true,
    name: true,
    version: true,
    paused: true,
    createdAt: true,
    updatedAt: true,
  }),
  changes: z.array(z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() })),
});

/** One version of a deployment. */
export type DeploymentVersion = z.infer<typeof deploymentVersionSchema>;

/**
 * `GET /api/deployments/:idOrName/versions` query: newest first, `limit` (1–500, default 50)
 * versions older than `before` (a version number: the last one of the previous page).
 */
export const deploymentVersionQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** `GET /api/deployments` query. */
export const deploymentListQuerySchema = z.object({ pool: workPoolNameSchema.optional() });

/**
 * `POST /api/deployments/:idOrName/runs` body ("Run now"): parameters merged over the defaults.
 * @example runDeploymentSchema.parse({ parameters: { threshold: 0.7 } });
 */
export const runDeploymentSchema = z.strictObject({
  parameters: jsonObjectSchema.optional(),
  tags: z.array(name(100)).max(50).optional(),
});

/** "Run now" body. */
export type RunDeployment = z.input<typeof runDeploymentSchema>;

/**
 * `POST /api/workers/heartbeat` body. `heartbeatIntervalMs` (default 5000) tells the server when
 * the worker is overdue: offline after 3 intervals without a heartbeat.
 * @example workerHeartbeatSchema.parse({ workerId, name: "host-1", pool: "default", limit: 4, running: [] });
 */
export const workerHeartbeatSchema = z.object({
  workerId: idSchema,
  name: name(200),
  pool: workPoolNameSchema,
  limit: z.number().int().min(1).max(10_000),
  running: z.array(idSchema).max(10_000).default([]),
  heartbeatIntervalMs: z.number().int().min(100).max(3_600_000).default(5000),
});

/** `POST /api/workers/heartbeat` body. */
export type WorkerHeartbeat = z.input<typeof workerHeartbeatSchema>;

/** `POST /api/workers/heartbeat` answer: this worker's runs with a cancel request. */
export const workerHeartbeatAnswerSchema = z.object({ cancel: z.array(idSchema) });

/** `POST /api/workers/heartbeat` answer. */
export type WorkerHeartbeatAnswer = z.infer<typeof workerHeartbeatAnswerSchema>;

/**
 * `POST /api/work-pools/:pool/claim` body: claim up to `limit` due runs, waiting up to `waitMs`
 * (0–60000, default 30000) when none is due.
 * @example claimSchema.parse({ workerId, limit: 4, waitMs: 30_000 });
 */
export const claimSchema = z.object({
  workerId: idSchema,
  limit: z.number().int().min(1).max(1000),
  waitMs: z.number().int().min(0).max(60_000).default(30_000),
});

/** `POST /api/work-pools/:pool/claim` body. */
export type Claim = z.input<typeof claimSchema>;

/** One claimed run: the run (now Pending with `workerId`) and the deployment version it runs. */
export const claimedRunSchema = z.object({ run: runSchema, deployment: deploymentRecordSchema });

/** One claimed run. */
export type ClaimedRun = z.infer<typeof claimedRunSchema>;

/** `POST /api/work-pools/:pool/claim` answer: claimed runs, and this worker's runs to cancel. */
export const claimAnswerSchema = z.object({ runs: z.array(claimedRunSchema), cancel: z.array(idSchema) });

/** `POST /api/work-pools/:pool/claim` answer. */
export type ClaimAnswer = z.infer<typeof claimAnswerSchema>;

/** A worker as `GET /api/workers` returns it; `running` counts its non-terminal runs. */
export const workerSchema = z.object({
  id: idSchema,
  name: z.string(),
  pool: z.string(),
  limit: z.number().int(),
  status: z.enum(["online", "offline"]),
  heartbeatIntervalMs: z.number().int(),
  lastHeartbeatAt: z.string(),
  createdAt: z.string(),
  running: z.number().int(),
});

/** A worker. */
export type Worker = z.infer<typeof workerSchema>;

/** `GET /api/workers` query. */
export const workerListQuerySchema = z.object({ pool: workPoolNameSchema.optional() });

/**
 * A work pool as `GET /api/work-pools` returns it: pools exist as named by deployments and workers.
 * `queued` counts runs due now and not yet claimed.
 */
export const workPoolSchema = z.object({
  name: z.string(),
  workers: z.number().int(),
  onlineWorkers: z.number().int(),
  deployments: z.number().int(),
  queued: z.number().int(),
});

/** A work pool. */
export type WorkPool = z.infer<typeof workPoolSchema>;

/**
 * `GET /api/schedule/preview` query: `cron` (+ `timezone`) or `intervalMs` (+ `anchor`), `count` 1–50.
 * @example schedulePreviewQuerySchema.parse({ cron: "0 9 * * 1-5", timezone: "Europe/Berlin" });
 */
export const schedulePreviewQuerySchema = z.object({
  cron: name(200).optional(),
  timezone: name(100).optional(),
  intervalMs: z.coerce
    .number()
    .int()
    .min(1000)
    .max(366 * 86_400_000)
    .optional(),
  anchor: timestampSchema.optional(),
  count: z.coerce.number().int().min(1).max(50).default(5),
});

/** `GET /api/schedule/preview` answer: the schedule in words and its next slots. */
export const schedulePreviewSchema = z.object({ description: z.string(), next: z.array(z.string()) });

/** `GET /api/schedule/preview` answer. */
export type SchedulePreview = z.infer<typeof schedulePreviewSchema>;
