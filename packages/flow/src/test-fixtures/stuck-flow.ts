/**
 * Fixture: a flow that awaits a promise that can never settle, so the process runs out of work while the
 * run is active. Prints `RUN <runId>`, and `HOOK <state>` from its onCrashed hook.
 */
import { flow } from "@weir/flow";

const stuck = flow(
  {
    name: "fixture-stuck",
    onCrashed: (event) => void process.stdout.write(`HOOK ${event.state}\n`),
  },
  async (_: void, ctx) => {
    process.stdout.write(`RUN ${ctx.runId}\n`);
    await new Promise<never>(() => undefined);
  },
);

await stuck();
