import type { Deployment, Run } from "@weir/protocol";
import { Command } from "commander";

import { WeirApi } from "../api.js";
import { collect, collectParam } from "./deploy-options.js";
import { table } from "./runs.js";

const at = (name: string): string => `/deployments/${encodeURIComponent(name)}`;

function scheduleText(d: Deployment): string {
  if (d.schedule === null) return "on demand";
  return (
    d.scheduleDescription ?? ("cron" in d.schedule ? d.schedule.cron : `every ${d.schedule.intervalMs} ms`)
  );
}

function show(d: Deployment): string {
  const lines = [
    `${d.name} (version ${d.version}, id ${d.id})${d.paused ? " — PAUSED" : ""}`,
    `  flow:        ${d.flowName} from ${d.entrypoint}${d.workingDirectory === null ? "" : ` in ${d.workingDirectory}`}`,
    `  pool:        ${d.workPool}`,
    `  schedule:    ${scheduleText(d)}${d.schedule !== null && "cron" in d.schedule ? ` (${d.schedule.timezone ?? "UTC"})` : ""}`,
    `  parameters:  ${JSON.stringify(d.parameters)}`,
    `  restart:     ${d.restartPolicy.mode}`,
    `  timeout:     ${d.timeoutSeconds === null ? "none" : `${d.timeoutSeconds} s`}`,
    `  concurrency: ${d.concurrencyLimit ?? "no limit"}`,
  ];
  if (d.tags.length > 0) lines.push(`  tags:        ${d.tags.join(", ")}`);
  if (d.nextRuns.length > 0) lines.push(`  next runs:   ${d.nextRuns.join(", ")}`);
  if (d.lastRuns.length > 0) {
    lines.push("  last runs:");
    for (const r of d.lastRuns) lines.push(`    ${r.id}  ${r.state.padEnd(10)} ${r.name}`);
  }
  return lines.join("\n");
}

/**
 * `weir deployments ls|show|pause|resume|run|rm`: the deployments on the server at `WEIR_API_URL`.
 *
 * @example
 * weir deployments run monitor --param threshold=0.9
 */
export function deploymentsCommand(): Command {
  const api = (): WeirApi => new WeirApi();
  const cmd = new Command("deployments").description(
    "list, inspect, pause, resume, run and remove deployments",
  );
  cmd
    .command("ls")
    .description("list deployments")
    .option("--pool <pool>", "only this work pool")
    .option("--json", "print JSON")
    .action(async (opts: { pool?: string; json?: boolean }) => {
      const query = opts.pool === undefined ? "" : `?pool=${encodeURIComponent(opts.pool)}`;
      const list = await api().send<Deployment[] | { items: Deployment[] }>("GET", `/deployments${query}`);
      const items = Array.isArray(list) ? list : list.items;
      if (opts.json === true) return void console.log(JSON.stringify(items, null, 2));
      if (items.length === 0) return void console.log("No deployments. Create one with `weir deploy`.");
      const rows = items.map((d) => [
        d.name,
        String(d.version),
        d.flowName,
        d.workPool,
        d.paused ? "paused" : scheduleText(d),
        d.nextRuns[0] ?? "-",
        d.lastRuns[0]?.state ?? "-",
      ]);
      console.log(table(["NAME", "VERSION", "FLOW", "POOL", "SCHEDULE", "NEXT RUN", "LAST RUN"], rows));
    });
  cmd
    .command("show")
    .description("one deployment: its fields, next and last runs")
    .argument("<name>", "deployment name or id")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }) => {
      const d = await api().send<Deployment>("GET", at(name));
      console.log(opts.json === true ? JSON.stringify(d, null, 2) : show(d));
    });
  for (const [verb, text] of [
    ["pause", "stop scheduling runs (scheduled ones are dropped)"],
    ["resume", "schedule runs again"],
  ] as const) {
    cmd
      .command(verb)
      .description(text)
      .argument("<name>", "deployment name or id")
      .action(async (name: string) => {
        const d = await api().send<Deployment>("POST", `${at(name)}/${verb}`);
        console.log(`${d.name} is ${d.paused ? "paused" : "active"}.`);
      });
  }
  cmd
    .command("run")
    .description("start a run now (a worker of its pool picks it up)")
    .argument("<name>", "deployment name or id")
    .option("--param <key=value>", "parameter over the defaults (repeatable)", collectParam, {})
    .option("--tag <tag>", "tag of the run (repeatable)", collect, [])
    .action(async (name: string, opts: { param: Record<string, unknown>; tag: string[] }) => {
      const body = { parameters: opts.param, ...(opts.tag.length > 0 ? { tags: opts.tag } : {}) };
      const run = await api().send<Run>("POST", `${at(name)}/runs`, body);
      console.log(
        `Run ${run.id} (${run.name}) is ${run.state}. Follow it: weir runs logs ${run.id} --follow`,
      );
    });
  cmd
    .command("rm")
    .description("delete a deployment (its past runs stay)")
    .argument("<name>", "deployment name or id")
    .action(async (name: string) => {
      await api().send("DELETE", at(name));
      console.log(`Deleted deployment ${name}.`);
    });
  return cmd;
}
