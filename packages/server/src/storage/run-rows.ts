import type { Run, RunKind, StateType } from "@weir/protocol";

import { iso } from "./cursor.js";
import type { RunsTable } from "./schema.js";

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Maps a `runs` row to the wire shape. */
export function toRun(row: RunsTable): Run {
  return {
    id: row.id,
    kind: row.kind as RunKind,
    flowName: row.flow_name,
    taskName: row.task_name,
    name: row.name,
    parentRunId: row.parent_run_id,
    flowRunId: row.flow_run_id,
    parameters: parseJson<Record<string, unknown>>(row.parameters, {}),
    tags: parseJson<string[]>(row.tags, []),
    version: row.version,
    description: row.description,
    state: row.state as StateType,
    stateMessage: row.state_message,
    stateTimestamp: iso(row.state_time) ?? "",
    createdAt: iso(row.created_at) ?? "",
    startTime: iso(row.start_time),
    endTime: iso(row.end_time),
    durationMs: row.duration_ms,
    runCount: row.run_count,
    heartbeatIntervalSeconds: row.heartbeat_interval_ms === null ? null : row.heartbeat_interval_ms / 1000,
    lastHeartbeatAt: iso(row.last_heartbeat_at),
    deploymentId: row.deployment_id,
    deploymentVersion: row.deployment_version,
    workPool: row.work_pool,
    workerId: row.worker_id,
    scheduledFor: iso(row.scheduled_for),
    restartOf: row.restart_of,
    retryOf: row.retry_of,
    cancelRequestedAt: iso(row.cancel_requested_at),
    timeoutSeconds: row.timeout_seconds,
  };
}
