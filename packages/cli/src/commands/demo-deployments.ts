import type { ApplicationDeployment, ApplicationDeployments } from "@weir/example-yelp-sentiment";
import type { CreateDeployment, Deployment, Run } from "@weir/protocol";
// The vocabulary without the schemas: `weir` loads this module for every command.
import { STATE_TYPES, TERMINAL_STATES } from "@weir/protocol/vocabulary";
import { sleep } from "@weir/protocol/retry";

import type { WeirApi } from "../api.js";
import { WeirApiFailure } from "../api.js";

/** The components of the reference application, in the order the demo deploys and starts them. */
export const COMPONENTS = ["subscriber", "monitor", "publisher"] as const;
/** One of {@link COMPONENTS}. */
export type Component = (typeof COMPONENTS)[number];

/** The application's deployments as the server answered them, by component. */
export type DeployedApp = Readonly<Record<Component, Deployment>>;

const isTerminal = (state: Run["state"]): boolean => TERMINAL_STATES.includes(state);
const ACTIVE_STATES = STATE_TYPES.filter((state) => !isTerminal(state)).join(",");
const at = (name: string): string => `/deployments/${encodeURIComponent(name)}`;

/** The `POST /api/deployments` body of one deployment: what `deploy()` of `@weir/flow` would send. */
function body<P>({ flow, options }: ApplicationDeployment<P>): CreateDeployment {
  const parameterSchema = flow.parametersJsonSchema();
  return {
    flowName: flow.flowName,
    ...(parameterSchema === undefined ? {} : { parameterSchema }),
    ...options,
  } as CreateDeployment;
}

/**
 * Creates or updates the application's three deployments (an unchanged one keeps its version, so
 * running the demo again adds nothing).
 *
 * @example
 * const deployed = await deployApplication(api, app.applicationDeployments({ threshold: 0.6 }));
 */
export async function deployApplication(api: WeirApi, app: ApplicationDeployments): Promise<DeployedApp> {
  const deployed: Partial<Record<Component, Deployment>> = {};
  for (const component of COMPONENTS) {
    const spec = app[component] as ApplicationDeployment<unknown>;
    deployed[component] = await api.send<Deployment>("POST", "/deployments", body(spec));
  }
  return deployed as DeployedApp;
}

/** The runs of a deployment that have not ended (scheduled, queued, running or being cancelled). */
export async function activeRuns(api: WeirApi, deployment: Deployment): Promise<Run[]> {
  const query = `deploymentId=${deployment.id}&state=${ACTIVE_STATES}&limit=100`;
  const page = await api.send<{ items: Run[] }>("GET", `/runs?${query}`);
  return page.items;
}

/**
 * "Run now" on the deployment, unless one of its runs is already under way (a demo run again after
 * a crash finds the restarted subscriber queued or running: a second one would wait behind it).
 * Returns the run started, or the one under way.
 *
 * @example
 * const run = await runUnlessActive(api, deployed.subscriber);
 */
export async function runUnlessActive(api: WeirApi, deployment: Deployment): Promise<Run> {
  const [active] = await activeRuns(api, deployment);
  return active ?? runNow(api, deployment);
}

/** "Run now" with the deployment's default parameters. */
export function runNow(api: WeirApi, deployment: Deployment): Promise<Run> {
  return api.send<Run>("POST", `${at(deployment.name)}/runs`, {});
}

/**
 * Cancels every run of the deployments that has not ended (their worker stops each process with
 * SIGTERM, so the subscriber saves its last checkpoint) and waits until they ended, at most
 * `timeoutMs`. Returns the runs still not ended then.
 *
 * @example
 * await cancelActiveRuns(api, Object.values(deployed), 20_000);
 */
export async function cancelActiveRuns(
  api: WeirApi,
  deployments: readonly Deployment[],
  timeoutMs: number,
): Promise<Run[]> {
  const runs = (await Promise.all(deployments.map((d) => activeRuns(api, d)))).flat();
  for (const run of runs) {
    await api.send("POST", `/runs/${run.id}/cancel`).catch((error: unknown) => {
      // 409: it ended meanwhile.
      if (!(error instanceof WeirApiFailure && error.status === 409)) throw error;
    });
  }
  const deadline = Date.now() + timeoutMs;
  let left = runs;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(250);
    const now = await Promise.all(left.map((run) => api.send<Run>("GET", `/runs/${run.id}`)));
    left = now.filter((run) => !isTerminal(run.state));
  }
  return left;
}
