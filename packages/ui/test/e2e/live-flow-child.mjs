// A flow process driven by the end-to-end tests through stdin, so that a test can make a running
// flow log a WARNING, log a metric, or be killed with SIGKILL while the dashboard is open.
// Commands (one per line): `warn <message>`, `metric <name> <value> <step>`, `stop`.
// Env: WEIR_API_URL (the test server), WEIR_HOME (a temp dir for the spool), E2E_HEARTBEAT_SECONDS.
import process from "node:process";
import { createInterface } from "node:readline";

import { flow, getRunLogger, logMetric } from "@weir/flow";

const heartbeatIntervalMs = Number(process.env.E2E_HEARTBEAT_SECONDS ?? "0.5") * 1000;

const live = flow(
  { name: "e2e-live-flow", tags: ["e2e"], heartbeatIntervalMs, runName: "live-run" },
  async (_params, ctx) => {
    const logger = getRunLogger();
    logger.info("live flow started");
    logMetric("loss", 1, { step: 0 });
    process.stdout.write(`${JSON.stringify({ ready: ctx.runId })}\n`);
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      const [command, ...rest] = line.trim().split(" ");
      if (command === "warn") logger.warn(rest.join(" "));
      else if (command === "metric") logMetric(rest[0] ?? "loss", Number(rest[1]), { step: Number(rest[2]) });
      else if (command === "stop") break;
      process.stdout.write(`${JSON.stringify({ done: line })}\n`);
    }
  },
);

await live();
