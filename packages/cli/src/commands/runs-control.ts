import type { Run } from "@weir/protocol";
import type { Command } from "commander";

import { WeirApi } from "../api.js";

/**
 * Adds `weir runs cancel <id>` and `weir runs retry <id>` to the `runs` command.
 *
 * @example
 * weir runs cancel 0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c
 */
export function addRunControl(runs: Command): void {
  runs
    .command("cancel")
    .description("cancel a run (a worker's run is stopped, SIGKILL after its grace period)")
    .argument("<run>", "run id")
    .action(async (id: string) => {
      const run = await new WeirApi().send<Run>("POST", `/runs/${encodeURIComponent(id)}/cancel`);
      const note = run.state === "Cancelling" ? " (its process is being stopped; it ends Cancelled)" : "";
      console.log(`Run ${run.id} (${run.name}) is ${run.state}${note}.`);
    });
  runs
    .command("retry")
    .description("start a finished run of a deployment again (a new run, same parameters)")
    .argument("<run>", "run id")
    .action(async (id: string) => {
      const run = await new WeirApi().send<Run>("POST", `/runs/${encodeURIComponent(id)}/retry`);
      console.log(`Run ${run.id} (${run.name}) retries ${id}; it is ${run.state}.`);
    });
}
