import { deleteOlderThan } from "../storage/retention.js";
import type { BackgroundJob } from "./liveness.js";
import { periodic } from "./liveness.js";
import type { RunService } from "./run-service.js";

const DAY_MS = 86_400_000;

/**
 * Deletes data older than `retentionDays` every `intervalMs` (and once shortly after start).
 */
export function startRetentionJob(
  service: RunService,
  retentionDays: number,
  intervalMs: number,
  onError: (error: unknown) => void,
): BackgroundJob {
  const pass = async () => {
    const deleted = await deleteOlderThan(service.storage.db, Date.now() - retentionDays * DAY_MS);
    service.metrics.retentionDeletedRuns += deleted.runs;
    return deleted.runs;
  };
  const job = periodic(pass, intervalMs, onError);
  const first = setTimeout(() => void job.runOnce().catch(onError), 5_000);
  first.unref();
  return {
    runOnce: job.runOnce,
    async stop() {
      clearTimeout(first);
      await job.stop();
    },
  };
}
