import { randomUUID } from "node:crypto";

import type { Run, StateType } from "@weir/protocol";
import type { Kysely } from "kysely";

import { epoch } from "./cursor.js";
import { randomRunName } from "./run-names.js";
import { toRun } from "./run-rows.js";
import type { Database, FlowsTable, RunsTable } from "./schema.js";

type Db = Kysely<Database>;

/** A validated `POST /api/runs` body. */
export interface NewRun {
  id?: string | undefined;
  kind: "flow" | "task";
  flowName: string;
  taskName?: string | undefined;
  name?: string | undefined;
  parentRunId?: string | undefined;
  flowRunId?: string | undefined;
  parameters?: Record<string, unknown> | undefined;
  tags?: string[] | undefined;
  version?: string | undefined;
  description?: string | undefined;
  heartbeatIntervalSeconds?: number | undefined;
  state?: "Scheduled" | "Pending" | "Running" | undefined;
  timestamp?: string | undefined;
  /** Set by the server for a run of a deployment (never taken from a request body). */
  deployment?: DeploymentLink | undefined;
}

/** What ties a run to its deployment: version, pool, slot and the run it restarts or retries. */
export interface DeploymentLink {
  id: string;
  version: number;
  workPool: string;
  /** When it is due (epoch ms): the slot, the "Run now" instant or the end of a restart's backoff. */
  scheduledFor: number;
  /** A schedule slot: unique per deployment, a second insert of the same slot is skipped. */
  slot: boolean;
  timeoutSeconds: number | null;
  restartOf?: string | undefined;
  restartCount?: number | undefined;
  retryOf?: string | undefined;
}

/** Rows per multi-row INSERT (runs have 35 columns). */
const CHUNK = 400;

function toRow(input: NewRun, now: number): RunsTable {
  const at = epoch(input.timestamp, now);
  const state: StateType = input.state ?? "Pending";
  const running = state === "Running";
  const d = input.deployment;
  return {
    id: input.id ?? randomUUID(),
    kind: input.kind,
    flow_name: input.flowName,
    task_name: input.taskName ?? null,
    name: input.name ?? randomRunName(),
    parent_run_id: input.parentRunId ?? null,
    flow_run_id: input.flowRunId ?? null,
    parameters: JSON.stringify(input.parameters ?? {}),
    tags: JSON.stringify([...new Set(input.tags ?? [])]),
    version: input.version ?? null,
    description: input.description ?? null,
    state,
    state_message: null,
    state_time: at,
    created_at: at,
    // A run waiting for its slot is listed at the slot; once it starts, at its start.
    sort_time: d === undefined || running ? at : d.scheduledFor,
    start_time: running ? at : null,
    end_time: null,
    duration_ms: null,
    run_count: running ? 1 : 0,
    heartbeat_interval_ms:
      input.heartbeatIntervalSeconds === undefined ? null : Math.round(input.heartbeatIntervalSeconds * 1000),
    last_heartbeat_at: now,
    deployment_id: d?.id ?? null,
    deployment_version: d?.version ?? null,
    work_pool: d?.workPool ?? null,
    worker_id: null,
    scheduled_for: d?.scheduledFor ?? null,
    slot: d?.slot === true ? d.scheduledFor : null,
    restart_of: d?.restartOf ?? null,
    restart_count: d?.restartCount ?? 0,
    retry_of: d?.retryOf ?? null,
    cancel_requested_at: null,
    timeout_seconds: d?.timeoutSeconds ?? null,
    claimed_at: null,
  };
}

/**
 * Creates runs in a few multi-row statements (a batch of task runs costs a handful of round trips,
 * not five per run). A run whose id is already stored — or repeated in `inputs` — is not touched
 * and is returned in `existing`. A schedule slot already taken (by this replica or another) is
 * skipped: it is in neither list. Call inside a transaction.
 */
export async function insertRuns(
  db: Db,
  inputs: readonly NewRun[],
  now: number,
): Promise<{ created: Run[]; existing: Run[] }> {
  const given = inputs.map((i) => i.id).filter((id): id is string => id !== undefined);
  const stored = new Map<string, RunsTable>();
  for (let i = 0; i < given.length; i += CHUNK) {
    const rows = await db
      .selectFrom("runs")
      .selectAll()
      .where("id", "in", given.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) stored.set(row.id, row);
  }
  const rows: RunsTable[] = [];
  const existing: Run[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const known = input.id === undefined ? undefined : stored.get(input.id);
    if (known !== undefined || (input.id !== undefined && seen.has(input.id))) {
      existing.push(toRun(known ?? rows.find((r) => r.id === input.id)!));
      continue;
    }
    const row = toRow(input, now);
    seen.add(row.id);
    rows.push(row);
  }
  const skipped = new Set<string>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    let chunk = rows.slice(i, i + CHUNK);
    if (chunk.some((r) => r.slot !== null)) {
      const inserted = await db
        .insertInto("runs")
        .values(chunk)
        .onConflict((oc) => oc.columns(["deployment_id", "slot"]).doNothing())
        .returning("id")
        .execute();
      const ids = new Set(inserted.map((r) => r.id));
      for (const r of chunk) if (!ids.has(r.id)) skipped.add(r.id);
      chunk = chunk.filter((r) => ids.has(r.id));
      if (chunk.length === 0) continue;
    } else await db.insertInto("runs").values(chunk).execute();
    await db
      .insertInto("run_states")
      .values(
        chunk.map((r) => ({
          id: randomUUID(),
          run_id: r.id,
          position: 0,
          type: r.state,
          message: null,
          timestamp: r.state_time,
        })),
      )
      .execute();
    const tags = chunk.flatMap((r) =>
      (JSON.parse(r.tags) as string[]).map((tag) => ({ run_id: r.id, tag, sort_time: r.sort_time })),
    );
    if (tags.length > 0) await db.insertInto("run_tags").values(tags).execute();
  }
  const flows = new Map<string, FlowsTable>();
  const kept = skipped.size === 0 ? rows : rows.filter((r) => !skipped.has(r.id));
  for (const r of kept) {
    if (r.kind !== "flow") continue;
    const f = flows.get(r.flow_name);
    if (f === undefined)
      flows.set(r.flow_name, {
        name: r.flow_name,
        run_count: 1,
        last_run_id: r.id,
        last_run_at: r.sort_time,
      });
    else {
      f.run_count++;
      f.last_run_id = r.id;
      f.last_run_at = r.sort_time;
    }
  }
  if (flows.size > 0)
    await db
      .insertInto("flows")
      .values([...flows.values()])
      .onConflict((oc) =>
        oc.column("name").doUpdateSet((eb) => ({
          run_count: eb("flows.run_count", "+", eb.ref("excluded.run_count")),
          last_run_id: eb.ref("excluded.last_run_id"),
          last_run_at: eb.ref("excluded.last_run_at"),
        })),
      )
      .execute();
  return { created: kept.map(toRun), existing };
}

/**
 * Creates one run; with a known `id` it returns the stored run instead (`created: false`).
 * @example const { run } = await insertRun(trx, { kind: "flow", flowName: "publisher" }, Date.now());
 */
export async function insertRun(db: Db, input: NewRun, now: number): Promise<{ run: Run; created: boolean }> {
  const { created, existing } = await insertRuns(db, [input], now);
  const run = created[0] ?? existing[0];
  if (run === undefined) throw new Error("insertRuns returned nothing for one input");
  return { run, created: created.length > 0 };
}
