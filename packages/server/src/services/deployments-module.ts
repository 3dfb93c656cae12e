import type { ResolvedOptions } from "../options.js";
import { DeploymentService } from "./deployment-service.js";
import { periodic } from "./liveness.js";
import type { BackgroundJob } from "./liveness.js";
import { restartIfDue } from "./restart-policy.js";
import type { RunService } from "./run-service.js";
import { markLate, topUpSchedules } from "./scheduler.js";
import { WorkQueue } from "./work-queue.js";
import { WorkerService } from "./worker-service.js";

/** The deployment side of the server, started by `createServer`. */
interface DeploymentsModule {
  deployments: DeploymentService;
  workers: WorkerService;
  /** One pass: slots topped up, Late marked, workers checked; stopping it closes the LISTEN connection. */
  job: BackgroundJob;
}

/**
 * Wires deployments into the server: the work queue (LISTEN on PostgreSQL), the restart policy on
 * every run that ends, and the periodic scheduler and worker check.
 */
export async function startDeployments(
  service: RunService,
  o: Pick<ResolvedOptions, "db" | "schedulerIntervalMs" | "scheduleHorizonMs" | "cancelTimeoutMs">,
  onError: (error: unknown) => void,
): Promise<DeploymentsModule> {
  const queue = new WorkQueue(service.storage, o.db);
  await queue.ready();
  service.onRunEnded = (trx, run) => restartIfDue(trx, service.storage.dialect, queue, run);
  const deployments = new DeploymentService(service, queue);
  const workers = new WorkerService(service, queue, { cancelTimeoutMs: o.cancelTimeoutMs });
  const pass = async (): Promise<number> => {
    const created = await topUpSchedules(service, queue, { horizonMs: o.scheduleHorizonMs });
    const late = await markLate(service);
    const ended = await workers.checkWorkers(onError);
    return created + late + ended;
  };
  const job = periodic(pass, o.schedulerIntervalMs, onError);
  return {
    deployments,
    workers,
    job: {
      runOnce: job.runOnce,
      async stop() {
        await job.stop();
        await queue.close();
      },
    },
  };
}
