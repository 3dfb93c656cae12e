// The flows the deployments end-to-end tests deploy and a real worker starts
// (`weir worker start`): the entrypoint is `./deployed-flows.mjs:watch`, relative to this folder.
import { clearInterval, setInterval } from "node:timers";

import { flow, getRunLogger } from "@weir/flow";

/** Watches until it is cancelled: a long-running run for the Cancel button to stop. */
export const watch = flow({ name: "e2e-watch", tags: ["e2e"] }, async (params, ctx) => {
  getRunLogger().info(`watching ${params.topic} with threshold ${params.threshold}`);
  // An idle wait holds no handle: keep the process up, as a flow's own I/O would.
  const idle = setInterval(() => undefined, 60_000);
  await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
  clearInterval(idle);
  getRunLogger().info(`stopping: ${String(ctx.signal.reason)}`);
  throw ctx.signal.reason;
});
