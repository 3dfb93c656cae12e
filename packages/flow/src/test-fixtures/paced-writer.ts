/**
 * Fixture: a flow that logs `line <i>` every FIXTURE_EVERY_MS ms until the process is killed. Prints
 * `RUN <runId>` once running. Env: WEIR_API_URL, WEIR_HOME, FIXTURE_EVERY_MS.
 */
import { setTimeout as delay } from "node:timers/promises";
import { flow } from "@weir/flow";

const every = Number(process.env.FIXTURE_EVERY_MS ?? "5");

const paced = flow({ name: "fixture-paced-writer" }, async (_: void, ctx) => {
  process.stdout.write(`RUN ${ctx.runId}\n`);
  for (let i = 0; ; i++) {
    ctx.logger.info(`line ${i}`, { i });
    await delay(every);
  }
});

await paced();
