import { resolve } from "node:path";

import { defaultUiDir } from "./http/dashboard.js";

/** Options of {@link startServer} and {@link createServer}. */
export interface ServerOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Port to listen on; `0` picks a free one. @default 4200 */
  port?: number;
  /** Folder for the SQLite database, the event log and other state. @default "./.weir" */
  dataDir?: string;
  /** `sqlite:<path>` or `postgres://…`. @default `sqlite:<dataDir>/weir.db` */
  db?: string;
  /** When set, every write needs `Authorization: Bearer <apiKey>`. @default process.env.WEIR_API_KEY */
  apiKey?: string;
  /** How often the liveness check looks for runs whose heartbeats stopped. @default 5000 */
  livenessCheckIntervalMs?: number;
  /** Runs, logs and metrics older than this many days are deleted. @default 30 */
  retentionDays?: number;
  /** How often retention runs. @default 3_600_000 (hourly) */
  retentionCheckIntervalMs?: number;
  /** Folder of the built dashboard, served at `/` if it holds an index.html. @default packages/ui/dist */
  uiDir?: string;
  /** Fastify request logging to stdout. @default false */
  logger?: boolean;
  /** Largest request body in bytes (except checkpoints). @default 16 MiB */
  bodyLimit?: number;
  /** Largest checkpoint body in bytes (a model can be big). @default 256 MiB */
  checkpointBodyLimit?: number;
  /** On close, how long requests in flight may take before their connections are cut. @default 5000 */
  shutdownGraceMs?: number;
  /** How often the scheduler creates slots, marks Late runs and checks workers. @default 1000 */
  schedulerIntervalMs?: number;
  /** Schedule slots are created this far ahead (and at least the next one). @default 60_000 */
  scheduleHorizonMs?: number;
  /** A run Cancelling this long is ended Cancelled by the server. @default 60_000 */
  cancelTimeoutMs?: number;
  /**
   * Whether `POST /api/models/:name/predict` and `…/labels` are open to callers without the API key
   * (the rest of the models API keeps needing it for writes). @default process.env.WEIR_MODELS_PUBLIC === "1"
   */
  modelsPublic?: boolean;
  /** How long predictions are kept for late labels. @default 86_400_000 (24 h) */
  predictionRetentionMs?: number;
  /** Largest predict or labels body in bytes (a batch of 10,000 reviews fits; 413 above). @default 8 MiB */
  predictBodyLimit?: number;
  /** How often served models are checked for changes made through another replica. @default 1000 */
  modelRefreshIntervalMs?: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  host: string;
  port: number;
  dataDir: string;
  db: string | undefined;
  apiKey: string | undefined;
  livenessCheckIntervalMs: number;
  retentionDays: number;
  retentionCheckIntervalMs: number;
  uiDir: string;
  logger: boolean;
  bodyLimit: number;
  checkpointBodyLimit: number;
  shutdownGraceMs: number;
  schedulerIntervalMs: number;
  scheduleHorizonMs: number;
  cancelTimeoutMs: number;
  modelsPublic: boolean;
  predictionRetentionMs: number;
  predictBodyLimit: number;
  modelRefreshIntervalMs: number;
}

/** Applies the documented defaults. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const apiKey = options.apiKey ?? process.env.WEIR_API_KEY;
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 4200,
    dataDir: resolve(options.dataDir ?? ".weir"),
    db: options.db,
    apiKey: apiKey === "" ? undefined : apiKey,
    livenessCheckIntervalMs: options.livenessCheckIntervalMs ?? 5_000,
    retentionDays: options.retentionDays ?? 30,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? 3_600_000,
    uiDir: options.uiDir ?? defaultUiDir(),
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    checkpointBodyLimit: options.checkpointBodyLimit ?? 256 * 1024 * 1024,
    shutdownGraceMs: options.shutdownGraceMs ?? 5_000,
    schedulerIntervalMs: options.schedulerIntervalMs ?? 1_000,
    scheduleHorizonMs: options.scheduleHorizonMs ?? 60_000,
    cancelTimeoutMs: options.cancelTimeoutMs ?? 60_000,
    modelsPublic: options.modelsPublic ?? process.env.WEIR_MODELS_PUBLIC === "1",
    predictionRetentionMs: options.predictionRetentionMs ?? 86_400_000,
    predictBodyLimit: options.predictBodyLimit ?? 8 * 1024 * 1024,
    modelRefreshIntervalMs: options.modelRefreshIntervalMs ?? 1_000,
  };
}
