import { randomUUID } from "node:crypto";

import type {
  Deployment,
  DeploymentVersion,
  Run,
  createDeploymentSchema,
  runDeploymentSchema,
} from "@weir/protocol";
import { isTerminalState } from "@weir/protocol";
import type { StateType } from "@weir/protocol";
import type { z } from "zod";

import { WeirHttpError, runNotFound } from "../errors.js";
import { iso } from "../storage/cursor.js";
import {
  findDeployment,
  listDeploymentVersions,
  scheduleOf,
  upsertDeployment,
} from "../storage/deployment-repository.js";
import type { StoredDeployment } from "../storage/deployment-repository.js";
import { insertRun } from "../storage/run-creation.js";
import type { DeploymentLink } from "../storage/run-creation.js";
import { applyTransition, getRunRow } from "../storage/run-repository.js";
import { toRun } from "../storage/run-rows.js";
import { dropWaitingSlots } from "../storage/waiting-runs.js";
import { checkParameterSchema, validateParameters } from "./parameter-schema.js";
import type { RunService } from "./run-service.js";
import { slotSource } from "./schedules.js";
import type { WorkQueue } from "./work-queue.js";

type CreateBody = z.output<typeof createDeploymentSchema>;
type RunNowBody = z.output<typeof runDeploymentSchema>;

function deploymentNotFound(idOrName: string): WeirHttpError {
  return new WeirHttpError(
    404,
    "WEIR_NOT_FOUND",
    `Deployment "${idOrName}" does not exist. List them with GET /api/deployments (weir deployments ls).`,
  );
}

/** Deployments: create and version, pause and resume, delete, "Run now", retry and cancel. */
export class DeploymentService {
  constructor(
    readonly runs: RunService,
    readonly queue: WorkQueue,
  ) {}

  /** Creates or versions a deployment; `created` is false when the spec was already the current one. */
  async upsert(body: CreateBody): Promise<{ deployment: Deployment; created: boolean }> {
    if (body.schedule !== undefined && body.schedule !== null) slotSource(body.schedule);
    if (body.parameterSchema !== undefined) {
      await checkParameterSchema(body.parameterSchema);
      await validateParameters(body.parameterSchema, body.parameters ?? {}, !body.schedule);
    }
    const { storage } = this.runs;
    const result = await this.runs.write(async (trx) => {
      const outcome = await upsertDeployment(trx, storage.dialect, body, Date.now());
      const { row } = outcome.deployment;
      if (outcome.outcome === "new-version" || (row.paused === 1 && outcome.previous?.row.paused === 0))
        await dropWaitingSlots(trx, row.id);
      return outcome;
    });
    return { deployment: await this.describe(result.deployment), created: result.outcome !== "unchanged" };
  }

  /** One deployment, with its next slots and last runs. */
  async get(idOrName: string): Promise<Deployment> {
    const found = await findDeployment(this.runs.storage.db, idOrName);
    if (found === undefined) throw deploymentNotFound(idOrName);
    return this.describe(found);
  }

  /** A deployment's versions, newest first, each with what changed from the one before. */
  async versions(idOrName: string, page: { limit: number; before?: number }): Promise<DeploymentVersion[]> {
    const found = await findDeployment(this.runs.storage.db, idOrName);
    if (found === undefined) throw deploymentNotFound(idOrName);
    return listDeploymentVersions(this.runs.storage.db, found.row.id, page);
  }

  /** Every deployment (of a pool), by name. */
  async list(pool: string | undefined): Promise<Deployment[]> {
    let query = this.runs.storage.db.selectFrom("deployments").select("id").orderBy("name").limit(5000);
    if (pool !== undefined) query = query.where("work_pool", "=", pool);
    const out: Deployment[] = [];
    for (const { id } of await query.execute()) {
      const found = await findDeployment(this.runs.storage.db, id);
      if (found !== undefined) out.push(await this.describe(found));
    }
    return out;
  }

  /** Pauses (no new slots; waiting slots dropped; no restarts) or resumes a deployment. */
  async setPaused(idOrName: string, paused: boolean): Promise<Deployment> {
    const { storage } = this.runs;
    const found = await this.runs.write(async (trx) => {
      const stored = await findDeployment(trx, idOrName, storage.dialect);
      if (stored === undefined) throw deploymentNotFound(idOrName);
      if ((stored.row.paused === 1) === paused) return stored;
      const now = Date.now();
      await trx
        .updateTable("deployments")
        .set({ paused: paused ? 1 : 0, scheduled_until: null, updated_at: now })
        .where("id", "=", stored.row.id)
        .execute();
      if (paused) await dropWaitingSlots(trx, stored.row.id);
      return findDeployment(trx, stored.row.id);
    });
    return this.describe(found!);
  }

  /**
   * Deletes a deployment: its waiting slots go, its unclaimed "Run now" and restart runs are
   * Cancelled; runs that workers hold go on (cancel them to stop them), and history stays.
   */
  async remove(idOrName: string): Promise<void> {
    const { storage } = this.runs;
    const ended = await this.runs.write(async (trx) => {
      const stored = await findDeployment(trx, idOrName, storage.dialect);
      if (stored === undefined) throw deploymentNotFound(idOrName);
      await dropWaitingSlots(trx, stored.row.id);
      const waiting = await trx
        .selectFrom("runs")
        .select("id")
        .where("deployment_id", "=", stored.row.id)
        .where("worker_id", "is", null)
        .where("state", "in", ["Scheduled", "Late", "Pending"])
        .execute();
      const runs: Run[] = [];
      for (const { id } of waiting) {
        const outcome = await applyTransition(
          trx,
          storage.dialect,
          id,
          {
            id: randomUUID(),
            type: "Cancelled",
            message: `Its deployment "${stored.row.name}" was deleted before a worker started it.`,
          },
          Date.now(),
        );
        if (outcome.kind === "accepted") runs.push(outcome.run);
      }
      await trx.deleteFrom("deployment_versions").where("deployment_id", "=", stored.row.id).execute();
      await trx.deleteFrom("deployments").where("id", "=", stored.row.id).execute();
      return runs;
    });
    for (const run of ended) this.runs.bus.publish({ type: "run", data: run });
  }

  /** "Run now": a Pending run due at once, parameters merged over the defaults and validated. */
  async runNow(idOrName: string, body: RunNowBody): Promise<Run> {
    const found = await findDeployment(this.runs.storage.db, idOrName);
    if (found === undefined) throw deploymentNotFound(idOrName);
    const parameters = { ...found.record.parameters, ...body.parameters };
    await validateParameters(found.record.parameterSchema, parameters);
    return this.#startRun(found.row.id, parameters, [...found.record.tags, ...(body.tags ?? [])], {});
  }

  /** "Retry": a new run of a finished deployment run, same parameters, linked by `retryOf`. */
  async retry(runId: string): Promise<Run> {
    const row = await getRunRow(this.runs.storage.db, runId);
    if (row === undefined) throw runNotFound(runId);
    if (row.kind !== "flow" || row.deployment_id === null)
      throw new WeirHttpError(
        409,
        "WEIR_RUN_CONFLICT",
        `Run ${runId} was started by hand, not from a deployment: the server has no code to run it again. Run your script again, or deploy the flow (weir deploy) to retry from the server.`,
      );
    if (!isTerminalState(row.state as StateType))
      throw new WeirHttpError(
        409,
        "WEIR_RUN_CONFLICT",
        `Run ${runId} is ${row.state}, not finished: wait for it to end or cancel it (POST /api/runs/${runId}/cancel), then retry.`,
      );
    const run = toRun(row);
    return this.#startRun(row.deployment_id, run.parameters, run.tags, { retryOf: runId });
  }

  async #startRun(
    deploymentId: string,
    parameters: Record<string, unknown>,
    tags: string[],
    link: Pick<DeploymentLink, "retryOf">,
  ): Promise<Run> {
    const { storage } = this.runs;
    const run = await this.runs.write(async (trx) => {
      const found = await findDeployment(trx, deploymentId, storage.dialect);
      if (found === undefined)
        throw new WeirHttpError(
          409,
          "WEIR_RUN_CONFLICT",
          `Deployment ${deploymentId} was deleted; deploy it again first.`,
        );
      const now = Date.now();
      const { run: created } = await insertRun(
        trx,
        {
          id: randomUUID(),
          kind: "flow",
          flowName: found.record.flowName,
          parameters,
          tags,
          state: "Pending",
          deployment: {
            id: found.row.id,
            version: found.row.version,
            workPool: found.row.work_pool,
            scheduledFor: now,
            slot: false,
            timeoutSeconds: found.record.timeoutSeconds,
            ...link,
          },
        },
        now,
      );
      await this.queue.notify(trx, [{ pool: found.row.work_pool }]);
      return created;
    });
    this.runs.bus.publish({ type: "run", data: run });
    return run;
  }

  /** The wire shape: the record, the schedule in words, the next 5 slots and the last 5 runs. */
  async describe({ row, record }: StoredDeployment): Promise<Deployment> {
    const now = Date.now();
    const schedule = scheduleOf(row);
    let description: string | null = null;
    let nextRuns: string[] = [];
    if (schedule !== null) {
      const source = slotSource(schedule);
      description = source.description;
      if (row.paused === 0) nextRuns = source.after(now, 5).map((t) => iso(t) ?? "");
    }
    const last = await this.runs.storage.db
      .selectFrom("runs")
      .selectAll()
      .where("deployment_id", "=", row.id)
      .where("sort_time", "<=", now)
      .orderBy("sort_time", "desc")
      .orderBy("id", "desc")
      .limit(5)
      .execute();
    return { ...record, scheduleDescription: description, nextRuns, lastRuns: last.map(toRun) };
  }
}
