#!/usr/bin/env node
// Entry module: runs the component as its own process, e.g. `node examples/yelp-sentiment/dist/bin/monitor.js`.
import { monitorArgs } from "../component-args.js";
import { runMonitorComponent } from "../component-runners.js";

try {
  await runMonitorComponent(monitorArgs(process.argv.slice(2)));
} catch (error) {
  console.error(`monitor: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
