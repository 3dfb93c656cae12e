/**
 * Fixture: FIXTURE_FLOWS flows run at once, each logging FIXTURE_LINES lines (with awaits in between) and a
 * metric per 10 lines. Prints `RUN <runId>` per flow and `DONE` at the end.
 */
import { setTimeout as delay } from "node:timers/promises";
import { flow, logMetric } from "@weir/flow";

const flows = Number(process.env.FIXTURE_FLOWS ?? "10");
const lines = Number(process.env.FIXTURE_LINES ?? "200");

const writer = flow({ name: "fixture-concurrent-writer" }, async (index: number, ctx) => {
  process.stdout.write(`RUN ${ctx.runId}\n`);
  for (let i = 0; i < lines; i++) {
    ctx.logger.info(`writer ${index} line ${i}`, { i });
    if (i % 10 === 0) logMetric("progress", i / lines, { step: i });
    if (i % 20 === 0) await delay(1);
  }
});

await Promise.all(Array.from({ length: flows }, (_, index) => writer(index)));
process.stdout.write("DONE\n");
