import type { Run } from "../src/api/types.js";

/** A run as the server returns it, Running since `time`, for the dashboard's unit tests. */
export function makeRun(id: string, time: string, patch: Partial<Run> = {}): Run {
  return {
    id,
    kind: "flow",
    flowName: "river-model-subscriber",
    taskName: null,
    name: `run-${id}`,
    parentRunId: null,
    flowRunId: null,
    parameters: {},
    tags: [],
    version: null,
    description: null,
    state: "Running",
    stateMessage: null,
    stateTimestamp: time,
    createdAt: time,
    startTime: time,
    endTime: null,
    durationMs: null,
    runCount: 1,
    heartbeatIntervalSeconds: null,
    lastHeartbeatAt: null,
    deploymentId: null,
    deploymentVersion: null,
    workPool: null,
    workerId: null,
    scheduledFor: null,
    restartOf: null,
    retryOf: null,
    cancelRequestedAt: null,
    timeoutSeconds: null,
    ...patch,
  };
}
