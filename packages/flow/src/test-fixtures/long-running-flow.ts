/**
 * Fixture: a flow that logs until its signal is aborted. Prints `READY <runId>` once running and
 * `ABORTED <reason name>` when it sees ctx.signal aborted. Env: WEIR_API_URL, WEIR_HOME,
 * FIXTURE_HEARTBEAT_SECONDS, FIXTURE_IGNORE_ABORT=1 (keep going after the abort).
 */
import { setTimeout as delay } from "node:timers/promises";
import { flow } from "@weir/flow";

const heartbeatIntervalSeconds = Number(process.env.FIXTURE_HEARTBEAT_SECONDS ?? "10");
const ignoreAbort = process.env.FIXTURE_IGNORE_ABORT === "1";

const longRunning = flow(
  {
    name: "fixture-long-running",
    heartbeatIntervalSeconds,
    onCancellation: (event) => void process.stdout.write(`HOOK ${event.state}\n`),
  },
  async (_: void, ctx) => {
    process.stdout.write(`READY ${ctx.runId}\n`);
    let tick = 0;
    while (ignoreAbort || !ctx.signal.aborted) {
      ctx.logger.info(`tick ${tick++}`);
      await delay(50);
    }
    const reason = ctx.signal.reason as Error;
    process.stdout.write(`ABORTED ${reason.name}\n`);
    ctx.logger.warning(`stopping: ${reason.message}`);
  },
);

await longRunning();
process.stdout.write("RETURNED\n");
