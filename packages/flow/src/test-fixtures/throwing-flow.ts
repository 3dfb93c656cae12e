/**
 * Fixture: a flow whose timer callback throws, so the process dies of an uncaught exception (exit code 1)
 * while the run is active. Prints `RUN <runId>` once the server acknowledged the run (`FIXTURE_WAIT_MS`).
 */
import { setTimeout as delay } from "node:timers/promises";
import { flow } from "@weir/flow";

const doomed = flow({ name: "fixture-throwing" }, async (_: void, ctx) => {
  ctx.logger.info("about to fail outside of the flow's promise chain");
  await delay(Number(process.env.FIXTURE_WAIT_MS ?? "500"));
  process.stdout.write(`RUN ${ctx.runId}\n`);
  setTimeout(() => {
    throw new Error("uncaught in a timer");
  }, 10);
  await delay(60_000);
});

await doomed();
