// A hand-started flow (no worker) for the cancel end-to-end test: it prints its run id, then waits
// for its ctx.signal to abort and prints the wall-clock time it did, with the abort's reason.
// Env: WEIR_API_URL, WEIR_API_KEY (the test server), WEIR_HOME (a temp dir for the spool).
import process from "node:process";
import { clearInterval, setInterval } from "node:timers";

import { flow } from "@weir/flow";

const cancellable = flow(
  { name: "e2e-cancel-flow", tags: ["e2e"], runName: "cancel-me" },
  async (_params, ctx) => {
    process.stdout.write(`${JSON.stringify({ ready: ctx.runId })}\n`);
    // An idle wait holds no handle: keep the process up, as a flow's own I/O would.
    const idle = setInterval(() => undefined, 60_000);
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    clearInterval(idle);
    const reason = ctx.signal.reason instanceof Error ? ctx.signal.reason.name : String(ctx.signal.reason);
    process.stdout.write(`${JSON.stringify({ aborted: Date.now(), reason })}\n`);
    // Returning after the abort: the run ends Cancelled, not Completed.
    throw ctx.signal.reason;
  },
);

await cancellable().catch(() => undefined);
