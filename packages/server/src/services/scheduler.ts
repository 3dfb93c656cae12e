import { randomUUID } from "node:crypto";

import { sql } from "kysely";

import { findDeployment, scheduleOf } from "../storage/deployment-repository.js";
import { insertRuns } from "../storage/run-creation.js";
import type { NewRun } from "../storage/run-creation.js";
import type { RunService } from "./run-service.js";
import { slotSource } from "./schedules.js";
import type { SlotSource } from "./schedules.js";
import type { WorkQueue } from "./work-queue.js";

/** The most slots one deployment gets per pass (an every-second schedule with a long horizon). */
const MAX_SLOTS = 600;
/** Deployments topped up per pass. */
const BATCH = 200;

/** The slots after `from` up to `until` (at least the first one, at most {@link MAX_SLOTS}). */
function slotsUntil(source: SlotSource, from: number, until: number): number[] {
  const slots: number[] = [];
  for (let cursor = from; slots.length < MAX_SLOTS;) {
    const batch = source.after(cursor, 20);
    for (const slot of batch) if (slot <= until || slots.length === 0) slots.push(slot);
    if (batch.length < 20 || batch.at(-1)! > until) break;
    cursor = batch.at(-1)!;
  }
  return slots.slice(0, MAX_SLOTS);
}

/** Options of the scheduler. */
interface SchedulerOptions {
  /** Slots are created this far ahead (and at least the next one). */
  horizonMs: number;
}

/**
 * Creates the `Scheduled` runs of every active schedule up to `horizonMs` ahead. Each deployment is
 * topped up in its own transaction that locks its row (PostgreSQL), re-reads it and inserts its
 * slots with `on conflict (deployment_id, slot) do nothing`: two replicas (or a redeploy racing a
 * pass) can never create a slot twice, and a paused or redeployed schedule never gets stale slots.
 * Slots missed while no server ran are not made up, except those within the deployment's
 * `lateAfterMs` (they start at once, as Late). Returns how many runs it created.
 */
export async function topUpSchedules(
  service: RunService,
  queue: WorkQueue,
  options: SchedulerOptions,
): Promise<number> {
  const { db, dialect } = service.storage;
  const now = Date.now();
  const due = await db
    .selectFrom("deployments")
    .select("id")
    .where("paused", "=", 0)
    .where("schedule", "is not", null)
    // Topped up when less than half the horizon is left: slots are made in batches, not one a pass.
    .where((eb) =>
      eb.or([eb("scheduled_until", "is", null), eb("scheduled_until", "<", now + options.horizonMs / 2)]),
    )
    .orderBy("scheduled_until")
    .limit(BATCH)
    .execute();
  let created = 0;
  for (const { id } of due) {
    const made = await service.write(async (trx) => {
      const found = await findDeployment(trx, id, dialect);
      const schedule = found === undefined ? null : scheduleOf(found.row);
      if (found === undefined || schedule === null || found.row.paused === 1) return [];
      const { row, record } = found;
      const at = Date.now();
      const horizon = at + options.horizonMs;
      if (row.scheduled_until !== null && row.scheduled_until >= at + options.horizonMs / 2) return [];
      const slots = slotsUntil(
        slotSource(schedule),
        Math.max(row.scheduled_until ?? at, at - record.lateAfterMs),
        horizon,
      );
      if (slots.length === 0) return [];
      const inputs: NewRun[] = slots.map((slot) => ({
        id: randomUUID(),
        kind: "flow",
        flowName: record.flowName,
        parameters: record.parameters,
        tags: record.tags,
        state: "Scheduled",
        deployment: {
          id: row.id,
          version: row.version,
          workPool: row.work_pool,
          scheduledFor: slot,
          slot: true,
          timeoutSeconds: record.timeoutSeconds,
        },
      }));
      const { created: runs } = await insertRuns(trx, inputs, at);
      await trx
        .updateTable("deployments")
        .set({ scheduled_until: slots[slots.length - 1]! })
        .where("id", "=", row.id)
        .execute();
      if (runs.length > 0) await queue.notify(trx, [{ pool: row.work_pool }]);
      return runs;
    });
    created += made.length;
    if (service.bus.size > 0) for (const run of made) service.bus.publish({ type: "run", data: run });
  }
  return created;
}

/**
 * Marks `Late` the schedule runs that no worker has claimed `lateAfterMs` after their slot (they
 * stay claimable). Returns how many.
 */
export async function markLate(service: RunService): Promise<number> {
  const now = Date.now();
  const late = await service.storage.db
    .selectFrom("runs")
    .innerJoin("deployments", "deployments.id", "runs.deployment_id")
    .select(["runs.id", "runs.scheduled_for", "deployments.late_after_ms"])
    .where("runs.kind", "=", "flow")
    .where("runs.state", "=", "Scheduled")
    .where("runs.sort_time", "<", now)
    .where("runs.worker_id", "is", null)
    .where(sql<boolean>`runs.scheduled_for + deployments.late_after_ms < ${now}`)
    .limit(1000)
    .execute();
  let marked = 0;
  for (const run of late) {
    const waited = ((now - (run.scheduled_for ?? now)) / 1000).toFixed(1);
    const outcome = await service.transition(run.id, {
      id: randomUUID(),
      type: "Late",
      message: `Not started ${waited} s after its slot (grace ${run.late_after_ms / 1000} s): no worker of its pool claimed it. It starts as soon as one does.`,
    });
    if (outcome.kind === "accepted" && outcome.changed) marked++;
  }
  return marked;
}
