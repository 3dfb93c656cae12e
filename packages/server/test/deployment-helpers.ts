// Test helpers of the deployment suites: deploy, claim and drive runs through the real API.
import type { ClaimAnswer, CreateDeployment, Deployment, Run } from "@weir/protocol";

import { uuid } from "./backends.js";
import type { TestServer } from "./backends.js";

/** A deployment body with the required fields filled in. */
export function deploymentBody(patch: Partial<CreateDeployment> = {}): CreateDeployment {
  return {
    name: `dep-${uuid().slice(0, 8)}`,
    flowName: "monitor",
    entrypoint: "./src/flows.ts:monitor",
    ...patch,
  };
}

/** Creates (or versions) a deployment; fails the test on an error answer. */
export function deploy(t: TestServer, patch: Partial<CreateDeployment> = {}): Promise<Deployment> {
  return t.json<Deployment>("POST", "/api/deployments", deploymentBody(patch));
}

/** One claim of `pool` by `workerId` (no wait unless given). */
export function claim(
  t: TestServer,
  workerId: string,
  limit = 10,
  waitMs = 0,
  pool = "default",
): Promise<ClaimAnswer> {
  return t.json<ClaimAnswer>("POST", `/api/work-pools/${pool}/claim`, { workerId, limit, waitMs });
}

/** Proposes a state as a worker's child would. */
export function propose(t: TestServer, runId: string, type: string, timestamp?: string): Promise<unknown> {
  return t.json("POST", `/api/runs/${runId}/state`, {
    id: uuid(),
    type,
    ...(timestamp ? { timestamp } : {}),
  });
}

/** Polls `probe` until `done` holds or `timeoutMs` passes; returns the last value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The run as stored now. */
export function getRun(t: TestServer, id: string): Promise<Run> {
  return t.json<Run>("GET", `/api/runs/${id}`);
}
