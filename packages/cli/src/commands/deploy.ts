import path from "node:path";

import { RESTART_MODES } from "@weir/protocol";
import type { CreateDeployment, Deployment } from "@weir/protocol";
import { Command, InvalidArgumentError, Option } from "commander";

import { WeirApi } from "../api.js";
import { collect, collectParam, describeFlow, parseDuration, positiveNumber } from "./deploy-options.js";

interface DeployOptions {
  name: string;
  cron?: string;
  tz?: string;
  interval?: number;
  param: Record<string, unknown>;
  pool?: string;
  restart?: (typeof RESTART_MODES)[number];
  timeout?: number;
  paused?: boolean;
  tag: string[];
  description?: string;
  concurrency?: number;
  workingDir: string;
  json?: boolean;
}

/** The `POST /api/deployments` body of `weir deploy`. */
function deploymentBody(
  entrypoint: string,
  opts: DeployOptions,
  flow: Awaited<ReturnType<typeof describeFlow>>,
): CreateDeployment {
  if (opts.cron !== undefined && opts.interval !== undefined) {
    throw new InvalidArgumentError("give --cron or --interval, not both.");
  }
  if (opts.tz !== undefined && opts.cron === undefined)
    throw new InvalidArgumentError("--tz goes with --cron.");
  const schedule =
    opts.cron !== undefined
      ? { cron: opts.cron, ...(opts.tz === undefined ? {} : { timezone: opts.tz }) }
      : opts.interval !== undefined
        ? { intervalMs: opts.interval }
        : undefined;
  return {
    name: opts.name,
    flowName: flow.flowName,
    entrypoint,
    workingDirectory: path.resolve(opts.workingDir),
    parameters: opts.param,
    ...(flow.parameterSchema === null ? {} : { parameterSchema: flow.parameterSchema }),
    ...(schedule === undefined ? {} : { schedule }),
    ...(opts.pool === undefined ? {} : { workPool: opts.pool }),
    ...(opts.restart === undefined ? {} : { restartPolicy: { mode: opts.restart } }),
    ...(opts.timeout === undefined ? {} : { timeoutSeconds: opts.timeout }),
    ...(opts.paused === true ? { paused: true } : {}),
    ...(opts.tag.length === 0 ? {} : { tags: opts.tag }),
    ...(opts.description === undefined ? {} : { description: opts.description }),
    ...(opts.concurrency === undefined ? {} : { concurrencyLimit: opts.concurrency }),
  };
}

/**
 * `weir deploy <module>:<export> --name …`: loads the flow as a worker would (to read its name and
 * parameter schema), then creates or updates the deployment (a new version when anything changed).
 *
 * @example
 * weir deploy ./src/flows.ts:monitor --name monitor --cron "*\/5 * * * *" --tz Europe/Berlin --param threshold=0.7
 */
export function deployCommand(): Command {
  return new Command("deploy")
    .description("create or update a deployment of a flow (server at $WEIR_API_URL)")
    .argument("<entrypoint>", "<module path>:<export>, e.g. ./src/flows.ts:monitor")
    .requiredOption("--name <name>", "deployment name")
    .option("--cron <expr>", 'cron schedule, 5 or 6 fields (e.g. "*/5 * * * *")')
    .option("--tz <zone>", "time zone of --cron (e.g. Europe/Berlin; default UTC)")
    .option("--interval <duration>", "interval schedule (e.g. 60s, 5m)", parseDuration)
    .option("--param <key=value>", "default parameter (repeatable; JSON values are parsed)", collectParam, {})
    .option("--pool <pool>", "work pool (default: default)")
    .addOption(new Option("--restart <mode>", "restart policy").choices(RESTART_MODES))
    .option("--timeout <seconds>", "hard timeout a worker enforces, in seconds", positiveNumber)
    .option("--paused", "create it paused")
    .option("--tag <tag>", "tag of its runs (repeatable)", collect, [])
    .option("--description <text>", "what it does")
    .option("--concurrency <n>", "at most this many runs at a time", (v) => Math.round(positiveNumber(v)))
    .option("--working-dir <dir>", "where workers start it (default: here)", ".")
    .option("--json", "print the deployment as JSON")
    .action(async (entrypoint: string, opts: DeployOptions) => {
      const flow = await describeFlow(entrypoint, path.resolve(opts.workingDir));
      const deployment = await new WeirApi().send<Deployment>(
        "POST",
        "/deployments",
        deploymentBody(entrypoint, opts, flow),
      );
      if (opts.json === true) {
        console.log(JSON.stringify(deployment, null, 2));
        return;
      }
      console.log(
        `Deployed "${deployment.name}" version ${deployment.version} (flow ${deployment.flowName}, pool ${deployment.workPool}).`,
      );
      if (deployment.scheduleDescription !== null)
        console.log(`  schedule: ${deployment.scheduleDescription}`);
      if (deployment.nextRuns.length > 0)
        console.log(`  next runs: ${deployment.nextRuns.slice(0, 3).join(", ")}`);
      console.log(`  run it now: weir deployments run "${deployment.name}"`);
    });
}
