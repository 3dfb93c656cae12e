import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CreateDeployment, Deployment } from "@weir/protocol";
import { apiErrorFrom } from "./api-client.js";
import { WeirArgumentError } from "./errors.js";
import type { Flow } from "./flow.js";
import { getRuntime } from "./runtime.js";

/** Options of {@link deploy}: the deployment's fields (see docs/deployments.md), all but the flow's. */
export interface DeployOptions<P> {
  /** The deployment's name (unique; deploying again under it makes a new version if anything changed). */
  name: string;
  /**
   * `"<module path>:<export>"` that a worker imports, relative to `workingDirectory`.
   * @default the module that defined the flow and the export that holds it
   */
  entrypoint?: string;
  /** Where the worker starts the flow's process. @default process.cwd() */
  workingDirectory?: string;
  /** Default parameters of its runs (checked against the flow's parameter schema by the server). */
  parameters?: Partial<P> & Record<string, unknown>;
  /** Cron (5 or 6 fields, with a time zone) or interval schedule. @default none (runs on demand) */
  schedule?: CreateDeployment["schedule"];
  /** @default "default" */
  workPool?: string;
  /** What the server does when a run ends: never, on-failure or always restart (with backoff). */
  restartPolicy?: CreateDeployment["restartPolicy"];
  /** Hard timeout the worker enforces (it kills the process), in seconds as in the REST API. */
  timeoutSeconds?: number;
  tags?: string[];
  description?: string;
  /** Create it paused (no scheduled runs until resumed). */
  paused?: boolean;
  /** At most this many runs of the deployment at a time. @default no limit */
  concurrencyLimit?: number | null;
  /** A scheduled run not Running this long after its slot is marked Late, in ms. */
  lateAfterMs?: number;
}

/**
 * Creates or updates a deployment of `flowFn` on the Weir server: a worker of its pool
 * (`weir worker start`) then runs it on its schedule, on demand ("Run" in the UI,
 * `weir deployments run`) and again under its restart policy. The flow's parameter schema is sent as
 * JSON Schema, so bad parameters are refused before a run starts. Deploying again with the same
 * fields returns the same version; with changed fields, a new version.
 * @example
 * import { deploy } from "@weir/flow";
 * import { monitor } from "./flows.js";
 * await deploy(monitor, { name: "monitor", schedule: { cron: "*\/5 * * * *", timezone: "Europe/Berlin" } });
 */
export async function deploy<P, R>(flowFn: Flow<P, R>, options: DeployOptions<P>): Promise<Deployment> {
  const workingDirectory = path.resolve(options.workingDirectory ?? process.cwd());
  const { name, entrypoint: given, workingDirectory: _workingDirectory, ...fields } = options;
  const entrypoint = given ?? (await findEntrypoint(flowFn, workingDirectory));
  const parameterSchema = flowFn.parametersJsonSchema();
  const body: CreateDeployment = {
    name,
    flowName: flowFn.flowName,
    entrypoint,
    workingDirectory,
    ...(parameterSchema === undefined ? {} : { parameterSchema }),
    ...(fields as Omit<CreateDeployment, "name" | "flowName" | "entrypoint">),
  };
  const response = await getRuntime().api.request("POST", "/deployments", body);
  if (response.status >= 300) throw apiErrorFrom(`Deploying "${name}"`, response);
  return response.body as Deployment;
}

/** How long {@link findEntrypoint} waits for the flow's module (it may be the one calling deploy). */
const MODULE_WAIT_MS = 1000;

/** `"./<module>:<export>"` of the flow: the module that called `flow()`, and its export holding `flowFn`. */
async function findEntrypoint(
  flowFn: Pick<Flow<unknown, unknown>, "flowName" | "definedIn">,
  workingDirectory: string,
): Promise<string> {
  const where = flowFn.definedIn;
  const explain = `Pass entrypoint: "<module path>:<export>" to deploy() (e.g. "./src/flows.ts:monitor").`;
  if (where === undefined)
    throw new WeirArgumentError(`Cannot tell which module defines "${flowFn.flowName}". ${explain}`);
  const url = where.startsWith("file:") ? where : pathToFileURL(where).href;
  let timer: NodeJS.Timeout | undefined;
  // A module that deploys its own flows at its top level is still evaluating: importing it would wait forever.
  const late = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), MODULE_WAIT_MS)),
  );
  const module = await Promise.race([import(url) as Promise<Record<string, unknown>>, late]).finally(() =>
    clearTimeout(timer),
  );
  const exportName =
    module === undefined ? undefined : Object.keys(module).find((key) => module[key] === flowFn);
  if (exportName === undefined) {
    throw new WeirArgumentError(
      `"${flowFn.flowName}" is not exported by ${where} (or that module is the one calling deploy()). ${explain}`,
    );
  }
  let relative = path.relative(workingDirectory, fileURLToPath(url)).split(path.sep).join("/");
  if (!relative.startsWith(".")) relative = `./${relative}`;
  return `${relative}:${exportName}`;
}
