/**
 * Fixture: a flow that logs a line every 20 ms until the file FIXTURE_TRIGGER exists, then returns and the
 * process exits normally. Prints `RUN <runId>` once running, `LINES <n>` when it returns, `DONE` at the end.
 * Env: WEIR_API_URL, WEIR_HOME, WEIR_FLUSH_TIMEOUT_MS, FIXTURE_TRIGGER, FIXTURE_HEARTBEAT_SECONDS.
 */
import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { flow } from "@weir/flow";

const trigger = process.env.FIXTURE_TRIGGER ?? "";

const writer = flow(
  {
    name: "fixture-final-flush",
    heartbeatIntervalSeconds: Number(process.env.FIXTURE_HEARTBEAT_SECONDS ?? "10"),
  },
  async (_: void, ctx) => {
    process.stdout.write(`RUN ${ctx.runId}\n`);
    let n = 0;
    while (!existsSync(trigger)) {
      ctx.logger.info(`line ${n++}`);
      await delay(20);
    }
    process.stdout.write(`LINES ${n}\n`);
  },
);

await writer();
process.stdout.write("DONE\n");
