import type { EventLog } from "../event-log/event-log.js";
import type { BackgroundJob } from "../services/liveness.js";
import { periodic } from "../services/liveness.js";
import type { Storage } from "../storage/database.js";
import type { RunService } from "../services/run-service.js";
import { modelsChangedSince } from "../storage/model-repository.js";
import { FeedbackService } from "./feedback.js";
import { ModelRegistry } from "./model-registry.js";
import { ModelServer } from "./model-server.js";
import { ModelStatsBook } from "./model-stats.js";
import { PredictionLog } from "./prediction-log.js";

/** Options of {@link startModels}. */
export interface ModelsOptions {
  /** How long predictions are kept for late labels. */
  predictionRetentionMs: number;
  /** How often the served models are checked against the database (changes made by other replicas). */
  refreshIntervalMs: number;
  /** Largest `POST /api/models/:name/versions` body. */
  publishBodyLimit: number;
  /** Largest predict or labels body. */
  predictBodyLimit: number;
  onError: (error: unknown) => void;
}

/** The models part of the server: what the routes use, and its background jobs. */
export interface Models {
  readonly storage: Storage;
  readonly registry: ModelRegistry;
  readonly server: ModelServer;
  readonly predictions: PredictionLog;
  readonly feedback: FeedbackService;
  readonly stats: ModelStatsBook;
  readonly predictionRetentionMs: number;
  readonly publishBodyLimit: number;
  readonly predictBodyLimit: number;
  /** Deletes predictions past the retention window now; resolves with how many. */
  applyRetention(): Promise<number>;
  /** Stops the jobs and writes the buffered predictions (before the database closes). */
  stop(): Promise<void>;
}

const RETENTION_INTERVAL_MS = 60_000;

/**
 * Builds the registry, the in-memory model server, the prediction log and the feedback service,
 * and starts their jobs: prediction retention (every minute) and the refresh of served models
 * changed by another replica (every `refreshIntervalMs`).
 *
 * @example
 * const models = startModels(service, eventLog, { predictionRetentionMs: 86_400_000, refreshIntervalMs: 1000, publishBodyLimit, onError });
 */
export function startModels(service: RunService, log: EventLog, options: ModelsOptions): Models {
  const { storage } = service;
  const server = new ModelServer(storage);
  const stats = new ModelStatsBook();
  const predictions = new PredictionLog(storage, { onError: options.onError });
  const feedback = new FeedbackService(storage, log, predictions, stats, options.predictionRetentionMs);
  const registry = new ModelRegistry(service, server, stats);

  const retention = periodic(
    () => predictions.deleteBefore(Date.now() - options.predictionRetentionMs),
    RETENTION_INTERVAL_MS,
    options.onError,
  );
  const seen = new Map<string, number>();
  let checkedUntil = Date.now();
  const refresh: BackgroundJob = periodic(
    async () => {
      const since = checkedUntil - options.refreshIntervalMs; // overlap: a change in the same millisecond
      checkedUntil = Date.now();
      const changed = await modelsChangedSince(storage.db, since);
      let refreshed = 0;
      for (const { name, updatedAt } of changed) {
        if (!server.isServed(name) || seen.get(name) === updatedAt) continue;
        await server.refresh(name);
        seen.set(name, updatedAt);
        refreshed++;
      }
      return refreshed;
    },
    options.refreshIntervalMs,
    options.onError,
  );

  return {
    storage,
    registry,
    server,
    predictions,
    feedback,
    stats,
    predictionRetentionMs: options.predictionRetentionMs,
    publishBodyLimit: options.publishBodyLimit,
    predictBodyLimit: options.predictBodyLimit,
    applyRetention: () => retention.runOnce(),
    async stop() {
      await Promise.all([retention.stop(), refresh.stop()]);
      await predictions.close();
    },
  };
}
