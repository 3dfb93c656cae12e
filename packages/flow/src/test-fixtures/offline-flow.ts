/**
 * Fixture: a flow that logs FIXTURE_LINES lines while the server (WEIR_API_URL) is unreachable, then
 * returns; the process exits normally with everything in the spool under WEIR_HOME. Prints `RUN <runId>`.
 */
import { flow } from "@weir/flow";

const lines = Number(process.env.FIXTURE_LINES ?? "100");

const offline = flow({ name: "fixture-offline" }, (_: void, ctx) => {
  process.stdout.write(`RUN ${ctx.runId}\n`);
  for (let i = 0; i < lines; i++) ctx.logger.info(`offline line ${i}`);
});

await offline();
process.stdout.write("DONE\n");
